import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@leadhooks/config';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadLeadsApiConfig } from './config/leads-api.config.js';
import { RelayModule } from './relay.module.js';

try {
  const base = loadLeadsApiConfig();
  const config = { ...base, relay: { ...base.relay, enabled: true } };
  const app = await NestFactory.createApplicationContext(RelayModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  new Logger('outbox-relay').log('Outbox relay running');
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
