import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DbModule, OutboxRepository } from '@leadhooks/db';
import { ObservabilityModule } from '@leadhooks/observability';
import { InboundMetrics } from './inbound-metrics.js';
import { IntakeMetrics } from './intake-metrics.js';

@Module({
  imports: [ObservabilityModule, DbModule],
  providers: [
    {
      provide: IntakeMetrics,
      inject: [Registry, OutboxRepository],
      useFactory: (r: Registry, o: OutboxRepository) => new IntakeMetrics(r, o),
    },
    { provide: InboundMetrics, inject: [Registry], useFactory: (r: Registry) => new InboundMetrics(r) },
  ],
  exports: [IntakeMetrics, InboundMetrics],
})
export class MetricsModule {}
