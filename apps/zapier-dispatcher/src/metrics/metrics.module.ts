import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { TopicNames } from '@leadhooks/contracts';
import { DbModule, DeliveryStatsRepository } from '@leadhooks/db';
import { KAFKA, KafkaModule } from '@leadhooks/messaging';
import { ObservabilityModule } from '@leadhooks/observability';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import { dispatcherLanes } from '../consumer-lanes.js';
import { registerConsumerLag } from './consumer-lag.collector.js';
import { DeliveryMetrics } from './delivery-metrics.js';
import { registerFailingDestinations } from './failing-destinations.collector.js';

const STOP_LAG = Symbol('STOP_LAG');

@Module({
  imports: [ObservabilityModule, KafkaModule, DbModule],
  providers: [
    {
      provide: DeliveryMetrics,
      inject: [Registry, DeliveryStatsRepository],
      useFactory: (registry: Registry, stats: DeliveryStatsRepository) => {
        registerFailingDestinations(registry, stats);
        return new DeliveryMetrics(registry);
      },
    },
    {
      provide: STOP_LAG,
      inject: [Registry, KAFKA, TopicNames, DISPATCHER_CONFIG],
      useFactory: (registry: Registry, kafka: Kafka, topics: TopicNames, config: DispatcherConfig) =>
        registerConsumerLag(
          registry,
          kafka,
          dispatcherLanes(config).map((lane) => ({
            groupId: lane.groupId,
            topics: lane.patterns.map((topic) => topics.physical(topic)),
          })),
        ),
    },
  ],
  exports: [DeliveryMetrics],
})
export class MetricsModule implements OnApplicationShutdown {
  constructor(@Inject(STOP_LAG) private readonly stopLag: () => Promise<void>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.stopLag();
  }
}
