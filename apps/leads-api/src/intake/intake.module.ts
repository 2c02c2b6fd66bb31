import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { DbModule } from '@leadhooks/db';
import { OutboxModule } from '@leadhooks/outbox';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { SitesModule } from '../sites/sites.module.js';
import { IntakeThrottlerGuard } from './intake-throttler.guard.js';
import { IntakeThrottlerStorage } from './intake-throttler.storage.js';
import { IntakeController } from './intake.controller.js';
import { IntakeService } from './intake.service.js';
import { LeadSubmissionPipe } from './lead-submission.pipe.js';

@Module({
  imports: [
    DbModule,
    OutboxModule,
    MetricsModule,
    SitesModule,
    ThrottlerModule.forRootAsync({
      inject: [LEADS_API_CONFIG],
      useFactory: (config: LeadsApiConfig) => ({
        setHeaders: false,
        storage: new IntakeThrottlerStorage(config.rateLimit.maxKeys),
        throttlers: [
          // RATE_LIMIT_PER_IP_PER_MINUTE (0 = off): one client IP (behind TRUST_PROXY, the forwarded one).
          {
            name: 'ip',
            ttl: 60_000,
            limit: config.rateLimit.perIpPerMinute,
            skipIf: () => config.rateLimit.perIpPerMinute === 0,
          },
          // RATE_LIMIT_PER_SITE_PER_SECOND (0 = off): a whole site, whoever posts.
          {
            name: 'site',
            ttl: 1_000,
            limit: config.rateLimit.perSitePerSecond,
            skipIf: () => config.rateLimit.perSitePerSecond === 0,
            getTracker: (request: Record<string, unknown>) =>
              (
                (request as unknown as FastifyRequest<{ Params: { hostname?: string } }>).params.hostname ??
                ''
              ).toLowerCase(),
          },
        ],
      }),
    }),
  ],
  controllers: [IntakeController],
  providers: [IntakeService, IntakeThrottlerGuard, LeadSubmissionPipe],
  exports: [IntakeService],
})
export class IntakeModule {}
