import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module.js';
import type { LeadsApiConfig } from './config/leads-api.config.js';
import { DatabaseModule } from './database/database.module.js';
import { MessagingModule } from './messaging/messaging.module.js';
import { LeadsApiOutboxModule } from './outbox/outbox-relay.module.js';

/** The outbox relay alone, without HTTP: `node dist/relay.main.js` (scale it apart from the API). */
@Module({})
export class RelayModule {
  static forRoot(config: LeadsApiConfig): DynamicModule {
    return {
      module: RelayModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, MessagingModule, LeadsApiOutboxModule],
    };
  }
}
