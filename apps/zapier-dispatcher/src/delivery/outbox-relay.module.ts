import { OutboxModule } from '@leadhooks/outbox';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';

/** The dispatcher's own outbox relay: it publishes the hand-ons this process records (next tiers, DLT) at once. */
export const DispatcherOutboxModule = OutboxModule.forRoot({
  inject: [DISPATCHER_CONFIG],
  useFactory: (config: DispatcherConfig) => ({
    ...config.relay,
    databaseUrl: config.databaseUrl,
    applicationName: 'zapier-dispatcher',
  }),
});
