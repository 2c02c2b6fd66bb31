import { type DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule } from '@leadhooks/observability';
import { OutboxModule } from '@leadhooks/outbox';
import { AdminModule } from './admin/admin.module.js';
import { ConfigModule } from './config/config.module.js';
import type { LeadsApiConfig } from './config/leads-api.config.js';
import { HealthModule } from './health/health.module.js';
import { IntakeModule } from './intake/intake.module.js';

@Module({})
export class AppModule {
  static forRoot(config?: LeadsApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        OutboxModule,
        IntakeModule,
        AdminModule,
        HealthModule,
      ],
    };
  }
}
