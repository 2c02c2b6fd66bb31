import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLeadsApi } from '../src/bootstrap.js';
import { type LeadsApiConfig, loadLeadsApiConfig } from '../src/config/leads-api.config.js';
import { TEST_ENCRYPTION_KEY, type TestDatabase, type TestKafka } from '@leadhooks/testing';

/** A real leads-api (Fastify, in-process, not listening) on the test database and topics. */
export async function createTestLeadsApi(
  db: TestDatabase,
  kafka: TestKafka,
  overrides: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; config: LeadsApiConfig }> {
  const config = loadLeadsApiConfig({
    PORT: '0',
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    DB_POOL_SIZE: '5',
    DATA_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.topics.prefix,
    ALLOW_INSECURE_WEBHOOK_URLS: 'true',
    OUTBOX_POLL_INTERVAL: '200ms',
    RATE_LIMIT_PER_IP_PER_MINUTE: '0',
    RATE_LIMIT_PER_SITE_PER_SECOND: '0',
    ...overrides,
  });
  const app = await createLeadsApi(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, config };
}
