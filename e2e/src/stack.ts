import { randomBytes } from 'node:crypto';
import { TEST_ENCRYPTION_KEY, type TestDatabase, type TestKafka } from '@leadhooks/testing';
import type { AppProcess } from './app-process.js';

export const ADMIN_KEY = `lh_admin_${randomBytes(12).toString('hex')}`;

/** Environment shared by both apps in an e2e test: the test's database and topics, seconds-scale retries. */
export function stackEnv(
  db: TestDatabase,
  kafka: Pick<TestKafka, 'brokers' | 'topics' | 'groupId'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.topics.prefix,
    KAFKA_GROUP_ID: kafka.groupId('dispatcher'),
    KAFKA_SESSION_TIMEOUT: '6s',
    DATA_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_API_KEY: ADMIN_KEY,
    ALLOW_INSECURE_WEBHOOK_URLS: 'true',
    RETRY_DELAYS: '1s,2s,4s,8s,16s',
    WEBHOOK_TIMEOUT_MS: '2000',
    LEAD_LEASE_MARGIN: '1s',
    REDRIVE_INTERVAL: '0',
    OUTBOX_POLL_INTERVAL: '200ms',
    LOG_LEVEL: 'log',
    ...extra,
  };
}

export async function createSite(
  api: AppProcess,
  hostname: string,
  webhookUrl: string | null,
  enabled = true,
) {
  const response = await fetch(`${api.url}/v1/admin/sites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      hostname,
      name: `Site ${hostname}`,
      zapier: { webhook_url: webhookUrl, enabled },
    }),
  });
  if (response.status !== 201)
    throw new Error(`site creation failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; hostname: string; zapier: { secret: string } };
}

export async function postLead(api: AppProcess, hostname: string, lead: Record<string, unknown>) {
  const response = await fetch(`${api.url}/v1/sites/${hostname}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(lead),
  });
  return { status: response.status, body: (await response.json()) as { id: string; zapier_status: string } };
}
