import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@leadhooks/config';
import { createAppLogger } from '@leadhooks/observability';
import { loadLeadsApiConfig } from './config/leads-api.config.js';
import { RelayModule } from './relay.module.js';

try {
  const base = loadLeadsApiConfig();
  const config = { ...base, relay: { ...base.relay, enabled: true } };
  const app = await NestFactory.createApplicationContext(RelayModule.forRoot(config), { logger: createAppLogger(config.logLevel, config.logFormat, 'outbox-relay') });
  app.enableShutdownHooks();
  new Logger('outbox-relay').log('Outbox relay running');
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
