import { randomBytes } from 'node:crypto';
import { TopicNames } from '@leadhooks/contracts';
import { createKafka, ensureTopics } from '@leadhooks/messaging';
import {
  createTestDatabase,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { KafkaBroker } from '../src/kafka-broker.js';
import { createSite, postLead, stackEnv } from '../src/stack.js';

/**
 * The outbox is there to absorb a Kafka outage: leads-api stays ready (it can store leads) and keeps answering 201
 * while the broker is down, and the backlog is published and delivered when the broker is back. The test's own
 * broker is really stopped (its process killed) and started again.
 */
describe('leads-api through a Kafka outage (a broker of its own, really stopped and restarted)', () => {
  let db: TestDatabase;
  let broker: KafkaBroker;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    [db, broker, receiver] = await Promise.all([
      createTestDatabase('e2ekafkaoutage'),
      KafkaBroker.create(),
      WebhookReceiver.start(),
    ]);
    await broker.start();
    const topics = new TopicNames(`t-outage-${randomBytes(3).toString('hex')}.`);
    const kafka = createKafka({ brokers: [broker.brokers], clientId: 'test-outage' }, () => undefined);
    await ensureTopics(kafka, topics.all(), {
      partitions: 2,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      deadLetterRetentionMs: 86_400_000,
    });
    const testKafka = {
      brokers: [broker.brokers],
      topics,
      groupId: (name: string) => `test-outage-${name}`,
    } as unknown as TestKafka;
    env = stackEnv(db, testKafka, { KAFKA_SESSION_TIMEOUT: '6s' });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env, { startTimeoutMs: 240_000 }),
      AppProcess.start('zapier-dispatcher', env, { startTimeoutMs: 240_000 }),
    ]);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await broker?.destroy();
    await receiver?.stop();
    await db?.drop();
  });

  const delivered = (ids: string[]) =>
    ids.filter((id) => receiver.requests.some((request) => request.body.includes(id)));

  it('stays ready and answers 201 while Kafka is stopped, and delivers the backlog once it is back', async () => {
    await createSite(api, 'outage.test', receiver.url);
    const before = await postLead(api, 'outage.test', { email: 'before@example.com' });
    expect(before.status).toBe(201);
    await waitUntil('the lead posted before the outage delivered', async () =>
      delivered([before.body.id]).length === 1 ? true : undefined,
    );

    await broker.stop();

    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(200);
    const during: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { status, body } = await postLead(api, 'outage.test', { email: `during-${i}@example.com` });
      expect(status).toBe(201);
      during.push(body.id);
    }
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    expect(delivered(during)).toEqual([]);

    await broker.start();
    // The dispatcher may have exited on a consumer crash during the outage (it expects a supervisor to restart it,
    // as compose's restart policy and Kubernetes do): restarted here the same way.
    if (dispatcher?.exitCode !== null)
      dispatcher = await AppProcess.start('zapier-dispatcher', env, { startTimeoutMs: 240_000 });
    await waitUntil(
      'every lead taken during the outage delivered',
      async () => (delivered(during).length === during.length ? true : undefined),
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }, 420_000);
});
