import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS, parseLeadCreatedEvent } from '@leadhooks/contracts';
import { LeadEntity, OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  openStoredEvent,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

describe('leads-api intake (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  const published: KafkaMessage[] = [];
  const consumerPromise = { stop: async () => undefined as void };

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('intake'), createTestKafka('intake')]);
    ({ app } = await createTestLeadsApi(db, kafka));
    const consumer = kafka.kafka.consumer({ groupId: kafka.groupId('observer'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: kafka.topics.main, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void published.push(message) });
    consumerPromise.stop = () => consumer.disconnect();
  });

  afterAll(async () => {
    await app?.close();
    await consumerPromise.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const post = (hostname: string, payload: string | object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: `/v1/sites/${hostname}/leads`,
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('stores the lead and its lead.created event in one go, answers 201, and the relay publishes it keyed by lead id', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: 'http://127.0.0.1:9/hook', enabled: true });
    const response = await post(site.hostname, {
      name: 'Ada',
      email: 'ada@example.com',
      budget: 5000,
      page_url: 'https://x.test/a',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<{ id: string; zapier_status: string }>();
    expect(body).toEqual({ id: expect.any(String), zapier_status: 'PENDING' });

    const lead = await db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id: body.id });
    expect(lead).toMatchObject({
      name: 'Ada',
      email: 'ada@example.com',
      extra: { budget: 5000 },
      zapierStatus: 'PENDING',
    });
    const message = await waitUntil('lead.created on Kafka', () =>
      published.find((m) => m.key?.toString() === body.id),
    );
    // On the wire the personal data is sealed under the lead's key (docs/privacy.md): open it as the dispatcher does.
    expect(message.value?.toString()).not.toContain('ada@example.com');
    const parsed = parseLeadCreatedEvent(await openStoredEvent(db.dataSource, message.value?.toString()));
    expect(parsed.ok && parsed.event.data).toMatchObject({
      lead_id: body.id,
      site_id: site.id,
      email: 'ada@example.com',
    });
    expect(message.headers?.[HEADERS.attempt]?.toString()).toBe('1');
    await waitUntil('outbox row marked published', async () => {
      const rows = await db.dataSource.getRepository(OutboxMessageEntity).findBy({ aggregateId: body.id });
      return rows.length === 1 && rows[0].publishedAt !== null;
    });
  });

  it('accepts a plain HTML form post (urlencoded)', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, 'name=Grace+Hopper&phone=%2B1+555+0100&utm_campaign=spring', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.statusCode).toBe(201);
    const lead = await db.dataSource
      .getRepository(LeadEntity)
      .findOneByOrFail({ id: response.json<{ id: string }>().id });
    expect(lead).toMatchObject({
      name: 'Grace Hopper',
      phone: '+1 555 0100',
      extra: { utm_campaign: 'spring' },
    });
  });

  it('stores a lead for a site without a hook and says it is not configured', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: null });
    const response = await post(site.hostname, { email: 'x@example.com' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ zapier_status: 'NOT_CONFIGURED' });
  });

  it('answers 400 naming the failing fields, and stores nothing', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, {
      name: 'No contact',
      page_url: 'not a url',
      nested: { a: 1 },
    });
    expect(response.statusCode).toBe(400);
    const fields = response.json<{ errors: Array<{ field: string }> }>().errors.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'phone', 'page_url', 'nested']));
    expect(await db.dataSource.getRepository(LeadEntity).countBy({ siteId: site.id })).toBe(0);
  });

  it('answers 400, not 500, for malformed JSON', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, '{"email": ');
    expect(response.statusCode).toBe(400);
  });

  it('answers 404 for an unknown site', async () => {
    const response = await post('nowhere.test', { email: 'x@example.com' });
    expect(response.statusCode).toBe(404);
  });
});
