import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KafkaMessage } from 'kafkajs';
import { LEAD_CREATED_TYPE } from '@leadhooks/contracts';
import { LeadEntity, OutboxRepository } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  seedSite,
  TcpProxy,
  type TestDatabase,
  type TestKafka,
  waitUntil,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

describe('outbox relay (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  const published: KafkaMessage[] = [];
  let stopObserver: () => Promise<void>;
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('relay'), createTestKafka('relay', 6)]);
    const observer = kafka.kafka.consumer({ groupId: kafka.groupId('observer'), maxWaitTimeInMs: 100 });
    await observer.connect();
    await observer.subscribe({ topic: kafka.topics.main, fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void published.push(message) });
    stopObserver = () => observer.disconnect();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await stopObserver?.();
    await kafka?.cleanup();
    await db?.drop();
  });

  const countByKey = (keys: string[]) =>
    keys.map((key) => published.filter((m) => m.key?.toString() === key).length);

  it('keeps answering 201 while Kafka is unreachable, then publishes every stored lead once it is back', async () => {
    const [host, port] = kafka.brokers[0].split(':');
    const proxy = new TcpProxy(await TcpProxy.reservePort(), { host, port: Number(port) });
    const { app } = await createTestLeadsApi(db, kafka, { KAFKA_BROKERS: `127.0.0.1:${proxy.port}` });
    apps.push(app);
    const site = await seedSite(db.dataSource);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await app.inject({
        method: 'POST',
        url: `/v1/sites/${site.hostname}/leads`,
        payload: { email: `down${i}@example.com` },
      });
      expect(response.statusCode).toBe(201);
      ids.push(response.json<{ id: string }>().id);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await new OutboxRepository(db.dataSource).backlog()).count).toBe(20);
    expect(countByKey(ids)).toEqual(Array(20).fill(0));

    await proxy.open();
    try {
      await waitUntil('all 20 published', () => countByKey(ids).every((n) => n >= 1), { timeoutMs: 30_000 });
      await waitUntil(
        'backlog empty',
        async () => (await new OutboxRepository(db.dataSource).backlog()).count === 0,
      );
      expect(countByKey(ids)).toEqual(Array(20).fill(1));
    } finally {
      await app.close();
      apps.pop();
      await proxy.close();
    }
  }, 60_000);

  it('publishes each outbox row once with two relays running at once', async () => {
    const [first, second] = await Promise.all([
      createTestLeadsApi(db, kafka, { OUTBOX_BATCH_SIZE: '50' }),
      createTestLeadsApi(db, kafka, { OUTBOX_BATCH_SIZE: '50' }),
    ]);
    apps.push(first.app, second.app);
    const site = await seedSite(db.dataSource);
    const posts = Array.from({ length: 300 }, (_, i) =>
      (i % 2 ? first.app : second.app).inject({
        method: 'POST',
        url: `/v1/sites/${site.hostname}/leads`,
        payload: { email: `two${i}@example.com` },
      }),
    );
    const ids = (await Promise.all(posts)).map((response) => response.json<{ id: string }>().id);
    await waitUntil('all 300 published', () => countByKey(ids).every((n) => n >= 1), { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(countByKey(ids).filter((n) => n !== 1)).toEqual([]);
  }, 60_000);

  it('stores neither the lead nor the event when the transaction fails after the lead insert', async () => {
    const site = await seedSite(db.dataSource);
    // The event's personal data is sealed (docs/privacy.md): the trigger picks the site's events by their plain ids.
    await db.dataSource.query(`
      CREATE FUNCTION refuse_explosive_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.payload->'data'->>'site_id' = '${site.id}' THEN RAISE EXCEPTION 'outbox insert failed on purpose'; END IF;
        RETURN NEW;
      END $$`);
    await db.dataSource.query(
      `CREATE TRIGGER refuse_explosive_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_explosive_outbox()`,
    );
    const { app } = await createTestLeadsApi(db, kafka, { OUTBOX_RELAY_ENABLED: 'false' });
    apps.push(app);
    const response = await app.inject({
      method: 'POST',
      url: `/v1/sites/${site.hostname}/leads`,
      payload: { name: 'explode', email: 'x@example.com' },
    });
    expect(response.statusCode).toBe(500);
    expect(await db.dataSource.getRepository(LeadEntity).countBy({ siteId: site.id })).toBe(0);
    const events: unknown[] = await db.dataSource.query(
      `SELECT 1 FROM outbox WHERE event_type = $1 AND payload->'data'->>'site_id' = $2`,
      [LEAD_CREATED_TYPE, site.id],
    );
    expect(events).toHaveLength(0);
  });
});
