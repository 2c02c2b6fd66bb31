import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DB_SETTINGS, type DbSettings } from '@leadhooks/db';
import { KAFKA_SETTINGS, type KafkaModuleSettings } from '@leadhooks/messaging';
import { OBSERVABILITY_SETTINGS, type ObservabilitySettings } from '@leadhooks/observability';
import { OUTBOX_RELAY_SETTINGS, type OutboxRelaySettings } from '@leadhooks/outbox';
import { type LeadsApiConfig, loadLeadsApiConfig } from './leads-api.config.js';

export const LEADS_API_CONFIG = Symbol('LEADS_API_CONFIG');

/**
 * The validated config, and the settings each lib module reads, derived from it here (the only global module:
 * everything else is imported where it is used). Tests pass their own config; processes read the environment.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: LeadsApiConfig = loadLeadsApiConfig(), app = 'leads-api'): DynamicModule {
    const db: DbSettings = {
      url: config.databaseUrl,
      poolSize: config.dbPoolSize,
      applicationName: app,
      encryptionKeys: config.dataEncryptionKeys,
      intakeBatching: config.intakeWrites,
    };
    const kafka: KafkaModuleSettings = {
      ...config.kafka,
      clientId: app,
      topicPrefix: config.kafkaTopicPrefix,
      maxSendBytes: config.kafkaMaxSendBytes,
    };
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
        { provide: LEADS_API_CONFIG, useValue: config },
        { provide: DB_SETTINGS, useValue: db },
        { provide: KAFKA_SETTINGS, useValue: kafka },
        { provide: OUTBOX_RELAY_SETTINGS, useValue: relay },
        { provide: OBSERVABILITY_SETTINGS, useValue: observability },
      ],
      exports: [LEADS_API_CONFIG, DB_SETTINGS, KAFKA_SETTINGS, OUTBOX_RELAY_SETTINGS, OBSERVABILITY_SETTINGS],
    };
  }
}
