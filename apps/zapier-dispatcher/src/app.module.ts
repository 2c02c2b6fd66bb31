import { type DynamicModule, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { TopicNames } from '@leadhooks/contracts';
import { ConfigModule } from './config/config.module.js';
import type { DispatcherConfig } from './config/dispatcher.config.js';
import { DatabaseModule } from './database/database.module.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { DispatcherOutboxModule } from './delivery/outbox-relay.module.js';
import { HealthModule } from './health/health.module.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

@Module({})
export class AppModule {
  static forRoot(config: DispatcherConfig, kafka: Kafka, topics: TopicNames): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        MessagingModule.forRoot(kafka, topics),
        DispatcherOutboxModule,
        MetricsModule,
        DeliveryModule,
        HealthModule,
      ],
    };
  }
}
