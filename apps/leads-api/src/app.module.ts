import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ObservabilityModule } from '@leadhooks/observability';
import { OutboxModule } from '@leadhooks/outbox';
import { AdminModule } from './admin/admin.module.js';
import { ConfigModule } from './config/config.module.js';
import type { LeadsApiConfig } from './config/leads-api.config.js';
import { HealthModule } from './health/health.module.js';
import { HooksModule } from './hooks/hooks.module.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { InboundModule } from './inbound/inbound.module.js';
import { IntakeModule } from './intake/intake.module.js';
import { LeadsModule } from './leads/leads.module.js';
import { MeModule } from './me/me.module.js';
import { RetentionModule } from './retention/retention.module.js';

@Module({})
export class AppModule {
  static forRoot(config?: LeadsApiConfig): DynamicModule {
    return {
      module: AppModule,
      // One error shape for every answer, errors raised before a route runs (body parsing) included.
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        OutboxModule,
        IntakeModule,
        InboundModule,
        AdminModule,
        LeadsModule,
        HooksModule,
        MeModule,
        RetentionModule,
        HealthModule,
      ],
    };
  }
}
