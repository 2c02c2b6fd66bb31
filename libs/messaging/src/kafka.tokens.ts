import type { KafkaConnectionSettings } from './kafka-connection.js';

/** The kafkajs client of this process. */
export const KAFKA = Symbol('KAFKA');

/** Provided by the app's (global) config module: how this process reaches Kafka. */
export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

export interface KafkaModuleSettings extends KafkaConnectionSettings {
  clientId: string;
  /** Prefix for every topic (shared clusters, tests). */
  topicPrefix: string;
  /** The most bytes of one topic a send carries (KAFKA_MAX_SEND_BYTES); default DEFAULT_MAX_SEND_BYTES. */
  maxSendBytes?: number;
}
