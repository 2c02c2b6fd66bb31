import { type DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule } from '@leadhooks/observability';
import { OutboxModule } from '@leadhooks/outbox';
import { ConfigModule } from './config/config.module.js';
import type { DispatcherConfig } from './config/dispatcher.config.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { HealthModule } from './health/health.module.js';

@Module({})
export class AppModule {
  static forRoot(config: DispatcherConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        OutboxModule,
        DeliveryModule,
        HealthModule,
      ],
    };
  }
}
