import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DbModule } from '@leadhooks/db';
import { ObservabilityModule } from '@leadhooks/observability';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { RetentionMetrics } from '../metrics/retention-metrics.js';
import { RetentionSweeper } from './retention-sweep.service.js';

/** Retention (docs/privacy.md): the scheduled sweep and its metrics (site deletion counts its erasures there too). */
@Module({
  imports: [ObservabilityModule, DbModule],
  providers: [
    {
      provide: RetentionMetrics,
      inject: [Registry, LEADS_API_CONFIG],
      useFactory: (r: Registry, config: LeadsApiConfig) =>
        new RetentionMetrics(r, config.retention.intervalMs),
    },
    RetentionSweeper,
  ],
  exports: [RetentionMetrics, RetentionSweeper],
})
export class RetentionModule {}
