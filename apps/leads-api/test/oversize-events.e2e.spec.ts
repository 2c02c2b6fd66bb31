import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import kafkajs, { type Consumer } from 'kafkajs';
import { LEAD_UPDATED_TOPIC } from '@leadhooks/contracts';
import { EventPublisher } from '@leadhooks/messaging';
import { OutboxRelayService } from '@leadhooks/outbox';
import {
  createTestDatabase,
  createTestKafka,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitUntil,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

const ADMIN = 'lh_bootstrap_oversize_key_0123456789';
/** This file's topics take at most this (the broker's message.max.bytes, per topic): a lead can grow past it. */
const TOPIC_MAX_MESSAGE_BYTES = 40_000;

/**
 * Issue 20 item 3: an event the broker refuses for its size must never stop the relay for every other site. Real
 * Kafka with this file's topics limited to TOPIC_MAX_MESSAGE_BYTES (max.message.bytes), real Postgres.
 */
describe('oversize events do not wedge the outbox relay (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let observer: Consumer;
  const published = new Map<string, number>();
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('oversize'), createTestKafka('oversize')]);
    const admin = kafka.kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [kafka.topics.main, kafka.topics.physical(LEAD_UPDATED_TOPIC)].map((name) => ({
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name,
        configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) }],
      })),
    });
    await admin.disconnect();
    observer = kafka.kafka.consumer({ groupId: kafka.groupId('observer'), maxWaitTimeInMs: 100 });
    await observer.connect();
    await observer.subscribe({
      topics: [kafka.topics.main, kafka.topics.physical(LEAD_UPDATED_TOPIC)],
      fromBeginning: true,
    });
    await observer.run({
      eachMessage: async ({ topic, message }) => {
        const key = `${kafka.topics.logical(topic)}:${message.key?.toString()}`;
        published.set(key, (published.get(key) ?? 0) + 1);
      },
    });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await observer?.disconnect();
    await kafka?.cleanup();
    await db?.drop();
  });

  async function stopAll(): Promise<void> {
    for (const app of apps.splice(0)) await app.close();
  }

  afterEach(stopAll);

  async function start(overrides: Record<string, string> = {}): Promise<NestFastifyApplication> {
    const { app } = await createTestLeadsApi(db, kafka, { ADMIN_API_KEY: ADMIN, ...overrides });
    apps.push(app);
    return app;
  }

  const extras = (prefix: string, count: number, chars = 1000) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'x'.repeat(chars)]));

  it("sets a lead.updated the broker refuses even alone aside, and goes on publishing every other site's leads", async () => {
    const app = await start();
    const grower = await seedSite(db.dataSource);
    const made = await app.inject({
      method: 'POST',
      url: `/v1/admin/sites/${grower.id}/api-keys`,
      payload: { name: 'hostile' },
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const key = made.json<{ key: string }>().key;
    const asSite = (method: 'POST' | 'PATCH', url: string, payload: object) =>
      app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
    const lead = (await asSite('POST', '/v1/leads', { email: 'grow@example.com' })).json<{ id: string }>();
    await waitUntil('the lead.created published', () => published.get(`lead.created:${lead.id}`) === 1);
    // Within LEAD_MAX_BYTES (128 KiB) and, sealed (docs/privacy.md: base64 of the ciphertext, about 4/3 of the
    // JSON), the broker's limit alone (about 29 KB), but its lead.updated carries the lead and its changes (about
    // 56 KB sealed): past the broker's limit.
    expect((await asSite('PATCH', `/v1/leads/${lead.id}`, { extra: extras('g', 20) })).statusCode).toBe(200);

    const others: string[] = [];
    for (let s = 0; s < 5; s++) {
      const site = await seedSite(db.dataSource);
      for (let i = 0; i < 4; i++) {
        const answer = await app.inject({
          method: 'POST',
          url: `/v1/sites/${site.hostname}/leads`,
          payload: { email: `other${s}-${i}@example.com` },
        });
        expect(answer.statusCode).toBe(201);
        others.push(answer.json<{ id: string }>().id);
      }
    }
    await waitUntil(
      "every other site's lead published",
      // At least once: a send the broker refused may have been written for its other partitions, then resent.
      () => others.every((id) => (published.get(`lead.created:${id}`) ?? 0) >= 1),
      { timeoutMs: 30_000 },
    );
    const [row]: Array<{ set_aside_at: Date | null; set_aside_reason: string | null; published: boolean }> =
      await db.dataSource.query(
        `SELECT set_aside_at, set_aside_reason, published_at IS NOT NULL AS published
           FROM outbox WHERE aggregate_id = $1 AND event_type = 'lead.updated'`,
        [lead.id],
      );
    expect(row).toEqual({
      set_aside_at: expect.any(Date),
      set_aside_reason: expect.stringMatching(
        /^Kafka refused the lead\.updated event \(\d+ bytes\) even alone/,
      ),
      published: true,
    });
    expect(published.get(`lead.updated:${lead.id}`)).toBeUndefined();
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^leadhooks_outbox_set_aside_rows(\{[^}]*\})? 1$/m);
    expect(metrics.body).toMatch(/^leadhooks_outbox_backlog(\{[^}]*\})? 0$/m);

    // A later, smaller change of the same lead is published (the set-aside row does not hold its lead back).
    expect((await asSite('PATCH', `/v1/leads/${lead.id}`, { name: 'Smaller Change' })).statusCode).toBe(200);
    await waitUntil(
      'the smaller lead.updated published',
      () => (published.get(`lead.updated:${lead.id}`) ?? 0) >= 1,
    );
    await stopAll();
  }, 90_000);

  it("sends a row as large as one the broker refused alone after its batch's other rows: they are published once, no producer replaced", async () => {
    // The relay is driven by hand here, one batch at a time.
    const app = await start({ OUTBOX_RELAY_ENABLED: 'false' });
    const relay = app.get(OutboxRelayService);
    const publisher = app.get(EventPublisher);
    const grower = await seedSite(db.dataSource);
    const made = await app.inject({
      method: 'POST',
      url: `/v1/admin/sites/${grower.id}/api-keys`,
      payload: { name: 'hostile' },
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const key = made.json<{ key: string }>().key;
    const asSite = (method: 'POST' | 'PATCH', url: string, payload: object) =>
      app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
    const lead = (await asSite('POST', '/v1/leads', { email: 'grow-again@example.com' })).json<{
      id: string;
    }>();
    expect(await relay.publishBatch()).toBe(1);
    // A lead.updated past the broker's limit (see the first test): refused, set aside; its size is now known.
    expect((await asSite('PATCH', `/v1/leads/${lead.id}`, { extra: extras('g', 20) })).statusCode).toBe(200);
    expect(await relay.publishBatch()).toBe(1);

    // One batch: other sites' leads, a larger lead.updated of the grower, more leads.
    const site = await seedSite(db.dataSource);
    const others: string[] = [];
    const postOther = async (i: number) => {
      const answer = await app.inject({
        method: 'POST',
        url: `/v1/sites/${site.hostname}/leads`,
        payload: { email: `batch-mate${i}@example.com` },
      });
      expect(answer.statusCode).toBe(201);
      others.push(answer.json<{ id: string }>().id);
    };
    for (let i = 0; i < 4; i++) await postOther(i);
    expect((await asSite('PATCH', `/v1/leads/${lead.id}`, { extra: extras('h', 20) })).statusCode).toBe(200);
    for (let i = 4; i < 8; i++) await postOther(i);
    const replaced = publisher.replacedProducers;
    expect(await relay.publishBatch()).toBe(9);

    // The others went in one send the broker took (no refused send: no producer replaced, nothing written twice).
    expect(publisher.replacedProducers).toBe(replaced);
    await waitUntil('the batch-mates published', () =>
      others.every((id) => (published.get(`lead.created:${id}`) ?? 0) >= 1),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(others.map((id) => published.get(`lead.created:${id}`))).toEqual(others.map(() => 1));
    const rows: Array<{ set_aside: boolean }> = await db.dataSource.query(
      `SELECT set_aside_at IS NOT NULL AS set_aside FROM outbox
        WHERE aggregate_id = $1 AND event_type = 'lead.updated' ORDER BY id`,
      [lead.id],
    );
    expect(rows).toEqual([{ set_aside: true }, { set_aside: true }]);
  }, 90_000);

  it('publishes a backlog of large leads in sends under KAFKA_MAX_SEND_BYTES, none refused, none set aside', async () => {
    const writer = await start({ OUTBOX_RELAY_ENABLED: 'false' });
    const site = await seedSite(db.dataSource);
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const answer = await writer.inject({
        method: 'POST',
        url: `/v1/sites/${site.hostname}/leads`,
        // About 15 KB each: under the broker's limit alone, far over it together.
        payload: { email: `large${i}@example.com`, ...extras('f', 15) },
      });
      expect(answer.statusCode).toBe(201);
      ids.push(answer.json<{ id: string }>().id);
    }
    const relay = await start({ KAFKA_MAX_SEND_BYTES: String(TOPIC_MAX_MESSAGE_BYTES - 2_000) });
    await waitUntil(
      'the backlog published',
      () => ids.every((id) => published.get(`lead.created:${id}`) === 1),
      { timeoutMs: 30_000 },
    );
    // No send was refused (a refused send replaces the producer) and nothing was set aside.
    expect(relay.get(EventPublisher).replacedProducers).toBe(0);
    const [{ count }]: Array<{ count: number }> = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM outbox WHERE set_aside_at IS NOT NULL AND aggregate_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(count).toBe(0);
  }, 90_000);
});
