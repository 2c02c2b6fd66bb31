import { type DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { ConfigModule } from './config/config.module.js';
import type { LeadsApiConfig } from './config/leads-api.config.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IntakeModule } from './intake/intake.module.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { LeadsApiOutboxModule } from './outbox/outbox-relay.module.js';

@Module({})
export class AppModule {
  static forRoot(config?: LeadsApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        MetricsModule,
        MessagingModule,
        IntakeModule,
        AdminModule,
        LeadsApiOutboxModule,
        HealthModule,
      ],
    };
  }
}
