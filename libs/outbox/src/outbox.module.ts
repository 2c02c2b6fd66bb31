import { type DynamicModule, Module } from '@nestjs/common';
import { OutboxRelayService } from './outbox-relay.service.js';
import { OUTBOX_RELAY_SETTINGS, type OutboxRelaySettings } from './outbox-relay.settings.js';
import { OutboxWakeup } from './outbox-wakeup.service.js';

/**
 * The outbox relay and its wake-up. Needs DataSource, OutboxRepository, EventPublisher and TopicNames from the
 * app's database and messaging modules; `settings` is built from the app's config.
 */
@Module({})
export class OutboxModule {
  static forRoot(settings: {
    inject: Array<string | symbol>;
    useFactory: (...args: never[]) => OutboxRelaySettings;
  }): DynamicModule {
    return {
      module: OutboxModule,
      global: true,
      providers: [
        { provide: OUTBOX_RELAY_SETTINGS, inject: settings.inject, useFactory: settings.useFactory },
        OutboxRelayService,
        OutboxWakeup,
      ],
      exports: [OutboxRelayService, OutboxWakeup],
    };
  }
}
