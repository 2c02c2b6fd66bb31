import { type ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { IntakeMetrics } from '../metrics/intake-metrics.js';

/**
 * @nestjs/throttler for intake (per client IP per minute, per site per second; see IntakeModule): a client over
 * its budget gets 429 with Retry-After in seconds, and the rejection is counted.
 */
@Injectable()
export class IntakeThrottlerGuard extends ThrottlerGuard {
  @Inject(IntakeMetrics) private readonly metrics!: IntakeMetrics;

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.metrics.leadsRejected.inc({ reason: 'rate_limited' });
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil((detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire) || 1),
    );
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfterSeconds));
    return Promise.reject(
      new HttpException({ message: 'Too many submissions; retry later' }, HttpStatus.TOO_MANY_REQUESTS),
    );
  }
}
