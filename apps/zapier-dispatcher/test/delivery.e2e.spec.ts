import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { EventPublisher } from '@leadhooks/messaging';
import { LeadEntity, type Site } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  firstAttemptHeaders,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitForGroupToConsume,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

describe('zapier-dispatcher delivery (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('delivery'),
      createTestKafka('delivery'),
      WebhookReceiver.start(),
    ]);
    publisher = new EventPublisher(kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(db, kafka));
  });

  afterAll(async () => {
    await dispatcher?.close();
    await publisher?.disconnect();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
  });

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });

  async function publish(site: Site, copies = 1) {
    const event = await seedLead(db.dataSource, site);
    const message = { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() };
    await publisher.publish(
      kafka.topics.main,
      Array.from({ length: copies }, () => message),
    );
    return event;
  }

  it('delivers a lead once, signed, with the flat SPEC payload, and marks it SENT', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true, name: 'Acme' });
    const event = await publish(site);

    const sent = await waitUntil('lead SENT', async () =>
      (await lead(event.data.lead_id)).zapierStatus === 'SENT' ? true : undefined,
    );
    expect(sent).toBe(true);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^leadhooks\//);
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(
      new Webhook(site.zapier.secret!).verify(request.body, request.headers as Record<string, string>),
    ).toBeTruthy();
    expect(JSON.parse(request.body)).toEqual({
      id: event.id,
      event: 'lead.created',
      event_id: event.id,
      lead_id: event.data.lead_id,
      submitted_at: event.data.submitted_at,
      site_id: site.id,
      site_hostname: site.hostname,
      site_name: 'Acme',
      page_url: event.data.page_url,
      lead_source: 'test',
      form_type: 'contact',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      message: 'Hello',
      budget: 1000,
      attempt: 1,
    });
    const stored = await lead(event.data.lead_id);
    expect(stored).toMatchObject({ zapierAttemptCount: 1, zapierLastError: null });
    expect(stored.zapierSentAt).toBeInstanceOf(Date);
  });

  it('does not deliver a lead whose message is consumed twice more than once', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const event = await publish(site, 2);
    await waitUntil('lead SENT', async () =>
      (await lead(event.data.lead_id)).zapierStatus === 'SENT' ? true : undefined,
    );
    // Both copies handled (offsets committed), then count.
    await waitForGroupToConsume(kafka.kafka, kafka.groupId('dispatcher'), kafka.topics.main);
    expect(receiver.requests.filter((request) => request.headers['webhook-id'] === event.id)).toHaveLength(1);
  });

  it('sends nothing for a site without an enabled hook and marks the lead NOT_CONFIGURED', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: false });
    const event = await publish(site);
    await waitUntil('lead NOT_CONFIGURED', async () =>
      (await lead(event.data.lead_id)).zapierStatus === 'NOT_CONFIGURED' ? true : undefined,
    );
    expect(receiver.requests).toHaveLength(0);
  });
});
