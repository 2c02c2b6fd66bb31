import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenBucketLimiter } from '@leadhooks/throttling';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { IntakeMetrics } from '../metrics/intake-metrics.js';

/** 429 with Retry-After when a client IP, or a site as a whole, submits faster than configured. */
@Injectable()
export class IntakeRateLimitGuard implements CanActivate {
  private readonly perIp: TokenBucketLimiter;
  private readonly perSite: TokenBucketLimiter;

  constructor(
    @Inject(LEADS_API_CONFIG) config: LeadsApiConfig,
    @Inject(IntakeMetrics) private readonly metrics: IntakeMetrics,
  ) {
    const { perIpPerMinute, perSitePerSecond } = config.rateLimit;
    this.perIp = new TokenBucketLimiter(perIpPerMinute / 60, Math.max(1, Math.ceil(perIpPerMinute / 3)));
    this.perSite = new TokenBucketLimiter(perSitePerSecond, Math.max(1, perSitePerSecond * 2));
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest<{ Params: { hostname?: string } }>>();
    const waitMs = Math.max(this.perIp.take(request.ip), this.perSite.take((request.params.hostname ?? '').toLowerCase()));
    if (waitMs === 0) return true;
    this.metrics.leadsRejected.inc({ reason: 'rate_limited' });
    void http.getResponse<FastifyReply>().header('retry-after', String(Math.ceil(waitMs / 1000)));
    throw new HttpException({ statusCode: 429, message: 'Too many submissions; retry later' }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
