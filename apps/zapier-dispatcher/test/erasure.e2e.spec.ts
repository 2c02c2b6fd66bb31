import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { type LeadCreatedEvent, sealLeadEvent } from '@leadhooks/contracts';
import { EventPublisher } from '@leadhooks/messaging';
import { LeadErasureRepository, type Site } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  firstAttemptHeaders,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  testLeadKeys,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

/** Erasure against a running dispatcher (docs/privacy.md): sealed events, SKIPPED `erased`, and the race. */
describe('erasure and delivery (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;
  let erasures: LeadErasureRepository;
  const wait = { pollMs: 20, maxMs: 10_000 };
  const actor = { by: 'test', reason: 'request' as const };

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('erasure'),
      createTestKafka('erasure'),
      WebhookReceiver.start(),
    ]);
    publisher = new EventPublisher(kafka.kafka);
    erasures = new LeadErasureRepository(db.dataSource);
    ({ app: dispatcher } = await startTestDispatcher(db, kafka, { WEBHOOK_TIMEOUT_MS: '1500' }));
  });

  afterAll(async () => {
    await dispatcher?.close();
    await publisher?.disconnect();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  /** A lead stored with its data key, its lead.created published sealed (as the relay publishes intake's). */
  async function publishSealed(site: Site): Promise<{ event: LeadCreatedEvent; value: string }> {
    const event = await seedLead(db.dataSource, site);
    const key = await db.dataSource.transaction((manager) =>
      testLeadKeys().keyFor(manager, event.data.lead_id),
    );
    const value = JSON.stringify(sealLeadEvent(event, key!));
    await publisher.publish(kafka.topics.main, [
      { key: event.data.lead_id, value, headers: firstAttemptHeaders() },
    ]);
    return { event, value };
  }

  const deliveriesOf = (leadId: string): Promise<Array<{ status: string; last_error: string | null }>> =>
    db.dataSource.query(`SELECT status, last_error FROM delivery WHERE lead_id = $1`, [leadId]);
  const requestsFor = (leadId: string) => receiver.requests.filter((r) => r.body.includes(leadId));

  it('opens a sealed event at send time: the receiver gets the lead, the message holds none of it', async () => {
    receiver.respondWith(() => ({ status: 200 }));
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const { event, value } = await publishSealed(site);
    expect(value).not.toContain('ada@example.com');
    const [request] = await waitUntil('delivered', () =>
      requestsFor(event.data.lead_id).length ? requestsFor(event.data.lead_id) : undefined,
    );
    expect(JSON.parse(request.body)).toMatchObject({ lead_id: event.data.lead_id, email: 'ada@example.com' });
  });

  it('ends pending deliveries of an erased lead SKIPPED (erased) and never sends them', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const { event } = await publishSealed(site);
    const leadId = event.data.lead_id;
    await waitUntil('first attempt failed', async () =>
      (await db.dataSource.query(`SELECT 1 FROM delivery_attempt WHERE lead_id = $1`, [leadId])).length
        ? true
        : undefined,
    );
    const result = await erasures.erase(leadId, actor, { wait });
    expect(result).toMatchObject({ kind: 'erased', record: { erased: { data_key: true } } });
    const answeredAt = Date.now();
    // The retry tier (1 s) has passed twice over: nothing was sent again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(requestsFor(leadId).every((request) => request.receivedAt <= answeredAt)).toBe(true);
    expect(await deliveriesOf(leadId)).toEqual([{ status: 'SKIPPED', last_error: 'erased' }]);
    const [attempt] = await db.dataSource.query(
      `SELECT error, response_snippet FROM delivery_attempt WHERE lead_id = $1`,
      [leadId],
    );
    expect(attempt).toEqual({ error: null, response_snippet: null });
    expect(await erasures.erase(leadId, actor, { wait })).toMatchObject({ kind: 'already-erased' });
  });

  it('never sends an erased lead after the erasure answered, however erasure and delivery race (property)', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          eraseAfterMs: fc.integer({ min: 0, max: 150 }),
          receiverDelayMs: fc.integer({ min: 0, max: 1_200 }),
          status: fc.constantFrom(200, 500, 503),
        }),
        async ({ eraseAfterMs, receiverDelayMs, status }) => {
          receiver.respondWith(() => ({ status, delayMs: receiverDelayMs }));
          const leads = await Promise.all([publishSealed(site), publishSealed(site), publishSealed(site)]);
          await new Promise((resolve) => setTimeout(resolve, eraseAfterMs));
          const answered = await Promise.all(
            leads.map(async ({ event }) => {
              await erasures.erase(event.data.lead_id, actor, { wait });
              return { leadId: event.data.lead_id, at: Date.now() };
            }),
          );
          // Longer than a retry tier and a receiver delay: a late send would have happened by now.
          await new Promise((resolve) => setTimeout(resolve, 2_500));
          for (const { leadId, at } of answered) {
            const late = requestsFor(leadId).filter((request) => request.receivedAt > at);
            expect(late).toEqual([]);
            for (const delivery of await deliveriesOf(leadId)) expect(delivery.status).not.toBe('PENDING');
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);
});
