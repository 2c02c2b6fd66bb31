import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { OutboxRepository } from '@leadhooks/db';
import { createMetricsRegistry, MetricsController } from '@leadhooks/observability';
import { IntakeMetrics } from './intake-metrics.js';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    { provide: Registry, useFactory: () => createMetricsRegistry('leads-api') },
    { provide: IntakeMetrics, inject: [Registry, OutboxRepository], useFactory: (r: Registry, o: OutboxRepository) => new IntakeMetrics(r, o) },
  ],
  exports: [Registry, IntakeMetrics],
})
export class MetricsModule {}
