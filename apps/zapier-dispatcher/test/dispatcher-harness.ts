import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startDispatcher } from '../src/bootstrap.js';
import { type DispatcherConfig, loadDispatcherConfig } from '../src/config/dispatcher.config.js';
import { TEST_ENCRYPTION_KEY, type TestDatabase, type TestKafka } from '@leadhooks/testing';

/** Starts a real dispatcher (in-process) on the test database and test topics. */
export async function startTestDispatcher(
  db: TestDatabase,
  kafka: TestKafka,
  overrides: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; config: DispatcherConfig }> {
  const config = loadDispatcherConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    DB_POOL_SIZE: '5',
    DATA_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.topics.prefix,
    KAFKA_GROUP_ID: kafka.groupId('dispatcher'),
    KAFKA_SESSION_TIMEOUT: '10s',
    RETRY_DELAYS: '1s,2s,4s,8s,16s',
    WEBHOOK_TIMEOUT_MS: '2000',
    ALLOW_INSECURE_WEBHOOK_URLS: 'true',
    LEAD_LEASE_MARGIN: '2s',
    REDRIVE_INTERVAL: '0',
    ...overrides,
  });
  return { app: await startDispatcher(config), config };
}
