import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DB_SETTINGS, type DbSettings } from '@leadhooks/db';
import { KAFKA_SETTINGS, type KafkaModuleSettings } from '@leadhooks/messaging';
import { OBSERVABILITY_SETTINGS, type ObservabilitySettings } from '@leadhooks/observability';
import { OUTBOX_RELAY_SETTINGS, type OutboxRelaySettings } from '@leadhooks/outbox';
import type { DispatcherConfig } from './dispatcher.config.js';

export const DISPATCHER_CONFIG = Symbol('DISPATCHER_CONFIG');

/**
 * The validated config, and the settings each lib module reads, derived from it here (the only global module:
 * everything else is imported where it is used).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: DispatcherConfig): DynamicModule {
    const app = 'zapier-dispatcher';
    const db: DbSettings = {
      url: config.databaseUrl,
      poolSize: config.dbPoolSize,
      applicationName: app,
      encryptionKeys: config.dataEncryptionKeys,
      lockBatching: config.lockBatching,
    };
    const kafka: KafkaModuleSettings = {
      ...config.kafka,
      clientId: app,
      topicPrefix: config.kafkaTopicPrefix,
    };
    // The dispatcher's own relay publishes the hand-ons it records (next tiers, DLT) at once.
    const relay: OutboxRelaySettings = {
      ...config.relay,
      databaseUrl: config.databaseUrl,
      applicationName: app,
    };
    const observability: ObservabilitySettings = {
      app,
      level: config.logLevel,
      format: config.logFormat,
      metricsPort: config.metricsPort,
      metricsHost: config.host,
    };
    return {
      module: ConfigModule,
      providers: [
        { provide: DISPATCHER_CONFIG, useValue: config },
        { provide: DB_SETTINGS, useValue: db },
        { provide: KAFKA_SETTINGS, useValue: kafka },
        { provide: OUTBOX_RELAY_SETTINGS, useValue: relay },
        { provide: OBSERVABILITY_SETTINGS, useValue: observability },
      ],
      exports: [
        DISPATCHER_CONFIG,
        DB_SETTINGS,
        KAFKA_SETTINGS,
        OUTBOX_RELAY_SETTINGS,
        OBSERVABILITY_SETTINGS,
      ],
    };
  }
}
