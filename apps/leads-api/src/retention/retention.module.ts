import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DbModule } from '@leadhooks/db';
import { ObservabilityModule } from '@leadhooks/observability';
import { RetentionMetrics } from '../metrics/retention-metrics.js';
import { RetentionSweeper } from './retention-sweep.service.js';

/** Retention (docs/privacy.md): the scheduled sweep and its metrics (site deletion counts its erasures there too). */
@Module({
  imports: [ObservabilityModule, DbModule],
  providers: [
    { provide: RetentionMetrics, inject: [Registry], useFactory: (r: Registry) => new RetentionMetrics(r) },
    RetentionSweeper,
  ],
  exports: [RetentionMetrics, RetentionSweeper],
})
export class RetentionModule {}
