import { OutboxModule } from '@leadhooks/outbox';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';

/** leads-api's outbox relay (in the API process unless OUTBOX_RELAY_ENABLED=false; dist/relay.main.js runs it alone). */
export const LeadsApiOutboxModule = OutboxModule.forRoot({
  inject: [LEADS_API_CONFIG],
  useFactory: (config: LeadsApiConfig) => ({ ...config.relay, databaseUrl: config.databaseUrl, applicationName: 'leads-api' }),
});
