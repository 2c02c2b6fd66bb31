import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { type LeadCreatedEvent, sealLeadEvent } from '@leadhooks/contracts';
import { EventPublisher } from '@leadhooks/messaging';
import {
  DeliveryRepository,
  type Endpoint,
  LeadErasureRepository,
  LeadRepository,
  ReplayRepository,
  type Site,
} from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  firstAttemptHeaders,
  type ReceivedRequest,
  seedEndpoint,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  testLeadKeys,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { DltReplayService } from '../src/dlt/dlt-replay.service.js';
import { startTestDispatcher } from './dispatcher-harness.js';

/**
 * lead.deleted (issue 24): an erasure's event reaches the endpoints subscribed to it with the guarantees of any
 * delivery (signed, one delivery per endpoint, retry tiers, DLT, replay), although its lead's data key is gone and
 * its other pending deliveries end SKIPPED.
 */
describe('lead.deleted delivery (real Kafka + Postgres)', () => {
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
      createTestDatabase('lead_deleted'),
      createTestKafka('lead-deleted'),
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

  /** A site whose one endpoint takes lead.created and lead.deleted (its `zapier` hook stays off). */
  async function siteWithEndpoint(): Promise<{ site: Site; endpoint: Endpoint }> {
    const site = await seedSite(db.dataSource);
    const endpoint = await seedEndpoint(db.dataSource, site, {
      url: receiver.url,
      events: ['lead.created', 'lead.deleted'],
    });
    return { site, endpoint };
  }

  async function publishSealed(site: Site): Promise<LeadCreatedEvent> {
    const event = await seedLead(db.dataSource, site);
    const key = await db.dataSource.transaction((manager) =>
      testLeadKeys().keyFor(manager, event.data.lead_id),
    );
    await publisher.publish(kafka.topics.main, [
      {
        key: event.data.lead_id,
        value: JSON.stringify(sealLeadEvent(event, key!)),
        headers: firstAttemptHeaders(),
      },
    ]);
    return event;
  }

  const eventOf = (request: ReceivedRequest) => String(request.headers['x-webhook-event']);
  const requestsFor = (leadId: string, event: string) =>
    receiver.requests.filter((r) => r.body.includes(leadId) && eventOf(r) === event);
  const deliveries = (
    leadId: string,
  ): Promise<Array<{ event_type: string; status: string; last_error: string | null }>> =>
    db.dataSource.query(
      `SELECT event_type, status, last_error FROM delivery WHERE lead_id = $1 ORDER BY event_type`,
      [leadId],
    );

  it('sends lead.deleted, signed and with ids only, while the lead.created left in retry ends SKIPPED (erased)', async () => {
    receiver.respondWith((request) => ({ status: eventOf(request) === 'lead.deleted' ? 200 : 500 }));
    const { site, endpoint } = await siteWithEndpoint();
    const created = await publishSealed(site);
    const leadId = created.data.lead_id;
    await waitUntil('lead.created failed once', () =>
      requestsFor(leadId, 'lead.created').length ? true : undefined,
    );

    const result = await erasures.erase(leadId, actor, { wait });
    if (result.kind !== 'erased') throw new Error(`not erased: ${result.kind}`);
    expect(result.record.eventId).toEqual(expect.any(String));

    const [request] = await waitUntil('lead.deleted delivered', () => {
      const found = requestsFor(leadId, 'lead.deleted');
      return found.length ? found : undefined;
    });
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    expect(payload).toEqual({
      id: result.record.eventId,
      event: 'lead.deleted',
      event_id: result.record.eventId,
      lead_id: leadId,
      site_id: site.id,
      site_hostname: site.hostname,
      site_name: site.name,
      erased_at: result.record.erasedAt.toISOString(),
      reason: 'request',
      attempt: 1,
    });
    expect(request.body).not.toContain('ada@example.com');
    expect(request.headers['webhook-id']).toBe(result.record.eventId);
    expect(() =>
      new Webhook(endpoint.secret!).verify(request.body, request.headers as Record<string, string>),
    ).not.toThrow();

    await waitUntil('both deliveries settled', async () => {
      const rows = await deliveries(leadId);
      return rows.length === 2 && rows.every((row) => row.status !== 'PENDING') ? rows : undefined;
    });
    expect(await deliveries(leadId)).toEqual([
      { event_type: 'lead.created', status: 'SKIPPED', last_error: 'erased' },
      { event_type: 'lead.deleted', status: 'SENT', last_error: null },
    ]);
    // The retry tier of lead.created (1 s) has come and gone: it sent nothing after the erasure.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(requestsFor(leadId, 'lead.created').every((r) => r.receivedAt <= request.receivedAt)).toBe(true);
    expect(requestsFor(leadId, 'lead.deleted')).toHaveLength(1);
  });

  it('retries a failing lead.deleted through the tiers into the DLT, and a DLT replay sends it once the receiver is back', async () => {
    receiver.respondWith(() => ({ status: 503 }));
    const { site, endpoint } = await siteWithEndpoint();
    await db.dataSource.query(`UPDATE endpoint SET max_attempts = 2 WHERE id = $1`, [endpoint.id]);
    const leadId = (await seedLead(db.dataSource, site)).data.lead_id;

    const result = await erasures.erase(leadId, actor, { wait });
    if (result.kind !== 'erased') throw new Error(`not erased: ${result.kind}`);

    await waitUntil(
      'lead.deleted FAILED after two attempts',
      async () => {
        const rows = await deliveries(leadId);
        return rows[0]?.status === 'FAILED' ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const attempts = requestsFor(leadId, 'lead.deleted').map(
      (r) => (JSON.parse(r.body) as { attempt: number }).attempt,
    );
    expect(attempts).toEqual([1, 2]);

    const replay = new DltReplayService(
      kafka.kafka,
      kafka.topics,
      new ReplayRepository(db.dataSource),
      new DeliveryRepository(db.dataSource, testLeadKeys()),
      new LeadRepository(db.dataSource, testLeadKeys()),
    );
    const letters = await waitUntil('dead letter listed', async () => {
      const found = await replay.select({ event: 'lead.deleted', lead: leadId });
      return found.length ? found : undefined;
    });
    expect(letters).toEqual([
      expect.objectContaining({ eventType: 'lead.deleted', eventId: result.record.eventId, leadId }),
    ]);

    receiver.respondWith(() => ({ status: 200 }));
    const summary = await replay.replay(letters, { actor: 'test', filter: {}, dryRun: false });
    expect(summary).toMatchObject({ replayed: 1, skipped: 0, failed: 0 });
    await waitUntil('replayed lead.deleted SENT', async () => {
      const rows = await deliveries(leadId);
      return rows[0]?.status === 'SENT' ? rows : undefined;
    });
    const sent = requestsFor(leadId, 'lead.deleted');
    expect(sent).toHaveLength(3);
    expect(JSON.parse(sent[2].body)).toMatchObject({
      id: result.record.eventId,
      lead_id: leadId,
      attempt: 3,
    });
  }, 60_000);

  it('emits nothing to an endpoint that does not take lead.deleted, and one erasure emits one event', async () => {
    receiver.respondWith(() => ({ status: 200 }));
    const site = await seedSite(db.dataSource);
    await seedEndpoint(db.dataSource, site, { url: receiver.url, events: ['lead.created'] });
    const leadId = (await seedLead(db.dataSource, site)).data.lead_id;
    await erasures.erase(leadId, actor, { wait });
    expect(await erasures.erase(leadId, actor, { wait })).toMatchObject({ kind: 'already-erased' });
    const outbox: Array<{ event_type: string }> = await db.dataSource.query(
      `SELECT event_type FROM outbox WHERE aggregate_id = $1`,
      [leadId],
    );
    expect(outbox).toEqual([{ event_type: 'lead.deleted' }]);
    await waitUntil('lead.deleted published', async () =>
      (
        await db.dataSource.query(
          `SELECT 1 FROM outbox WHERE aggregate_id = $1 AND published_at IS NOT NULL`,
          [leadId],
        )
      ).length
        ? true
        : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await deliveries(leadId)).toEqual([]);
    expect(receiver.requests.filter((r) => r.body.includes(leadId))).toEqual([]);
  });
});
