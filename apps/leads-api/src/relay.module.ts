import { type DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule } from '@leadhooks/observability';
import { OutboxModule } from '@leadhooks/outbox';
import { ConfigModule } from './config/config.module.js';
import type { LeadsApiConfig } from './config/leads-api.config.js';

/** The outbox relay alone, without HTTP: `node dist/relay.main.js` (scale it apart from the API). */
@Module({})
export class RelayModule {
  static forRoot(config: LeadsApiConfig): DynamicModule {
    return {
      module: RelayModule,
      imports: [ConfigModule.forRoot(config, 'outbox-relay'), ObservabilityModule, OutboxModule],
    };
  }
}
