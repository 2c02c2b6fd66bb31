import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventType } from '@leadhooks/contracts';
import {
  deleteSiteWithLeads,
  type Endpoint,
  LeadErasureRepository,
  RetentionRepository,
  type Site,
} from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  type ReceivedRequest,
  seedEndpoint,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

const SWEEP_MARGIN_MS = 3_000;

/**
 * The stranded sweep and lead.deleted (SPEC §1, nothing lost): a lead.deleted whose message was lost before any
 * dispatcher fanned it out is published again and delivered, a PENDING lead.deleted delivery nothing will attempt is
 * put back, and one already fanned out (to endpoints, to none, or to a lead whose site is gone) is never published
 * twice.
 */
describe('stranded sweep: lead.deleted (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let dispatcher: NestFastifyApplication;
  let erasures: LeadErasureRepository;
  let site: Site;
  const wait = { pollMs: 20, maxMs: 10_000 };
  const actor = { by: 'test', reason: 'request' as const };
  /** Erased before the dispatcher started, its message lost (never fanned out). */
  let lostLeadId: string;
  /** Erased and fanned out before; its PENDING delivery's retry message lost. */
  let orphanLeadId: string;
  /** Its site deleted (lead row gone) before the dispatcher fanned its lead.deleted out. */
  let goneLeadId: string;

  const eventIdOf = async (leadId: string): Promise<string> =>
    (
      await db.dataSource.query<Array<{ event_id: string }>>(
        `SELECT event_id FROM lead_erasure WHERE lead_id = $1`,
        [leadId],
      )
    )[0].event_id;
  /** Loses the lead's unpublished outbox rows, as a broker that dropped their messages would. */
  const loseMessages = (leadId: string) =>
    db.dataSource.query(`DELETE FROM outbox WHERE aggregate_id = $1`, [leadId]);
  /** Older than SWEEP_MARGIN: the sweep looks at it. */
  const backdate = (leadId: string) =>
    db.dataSource.query(
      `UPDATE lead_erasure SET erased_at = now() - interval '1 minute' WHERE lead_id = $1`,
      [leadId],
    );

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('stranded_lead_deleted'),
      createTestKafka('stranded-lead-deleted'),
      WebhookReceiver.start(),
    ]);
    receiver.respondWith(() => ({ status: 200 }));
    erasures = new LeadErasureRepository(db.dataSource);
    ({ site } = await siteWithEndpoint(['lead.created', 'lead.deleted']));

    lostLeadId = (await seedLead(db.dataSource, site)).data.lead_id;
    await erasures.erase(lostLeadId, actor, { wait });
    await loseMessages(lostLeadId);
    await backdate(lostLeadId);

    orphanLeadId = (await seedLead(db.dataSource, site)).data.lead_id;
    await erasures.erase(orphanLeadId, actor, { wait });
    await loseMessages(orphanLeadId);
    await backdate(orphanLeadId);
    // Fanned out and failed once; its retry message lost. Its next attempt was due long ago.
    await db.dataSource.query(
      `UPDATE lead_erasure SET fanned_out_at = now() - interval '1 minute' WHERE lead_id = $1`,
      [orphanLeadId],
    );
    await db.dataSource.query(
      `INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, attempt_count, next_attempt_at, cycle_step, last_error)
       SELECT $1, 'lead.deleted', $2, $3, e.id, 1, now() - interval '1 minute', 1, 'HTTP 503'
         FROM endpoint e WHERE e.site_id = $3 AND e.url IS NOT NULL AND e.name <> 'zapier'`,
      [await eventIdOf(orphanLeadId), orphanLeadId, site.id],
    );

    const doomed = await siteWithEndpoint(['lead.deleted']);
    goneLeadId = (await seedLead(db.dataSource, doomed.site)).data.lead_id;
    await deleteSiteWithLeads(new RetentionRepository(db.dataSource), erasures, doomed.site.id, { wait });
    // Out of the sweep's reach until the dispatcher has fanned it out (its message is published at start): the test
    // backdates it afterwards, to see the sweep leave it alone.
    await db.dataSource.query(
      `UPDATE lead_erasure SET erased_at = now() + interval '1 hour' WHERE lead_id = $1`,
      [goneLeadId],
    );

    ({ app: dispatcher } = await startTestDispatcher(db, kafka, {
      SWEEP_INTERVAL: '500ms',
      SWEEP_MARGIN: `${SWEEP_MARGIN_MS}ms`,
    }));
  });

  afterAll(async () => {
    await dispatcher?.close();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  async function siteWithEndpoint(events: EventType[]): Promise<{ site: Site; endpoint: Endpoint }> {
    const created = await seedSite(db.dataSource);
    const endpoint = await seedEndpoint(db.dataSource, created, { url: receiver.url, events });
    return { site: created, endpoint };
  }

  const eventOf = (request: ReceivedRequest) => String(request.headers['x-webhook-event']);
  const deletedRequestsFor = (leadId: string) =>
    receiver.requests.filter((r) => r.body.includes(leadId) && eventOf(r) === 'lead.deleted');
  const deliveries = (leadId: string) =>
    db.dataSource.query<Array<{ status: string; attempt_count: number; event_id: string }>>(
      `SELECT status, attempt_count, event_id FROM delivery WHERE lead_id = $1 AND event_type = 'lead.deleted'`,
      [leadId],
    );
  const outboxRows = async (leadId: string) =>
    (
      await db.dataSource.query<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM outbox WHERE aggregate_id = $1 AND event_type = 'lead.deleted'`,
        [leadId],
      )
    )[0].count;
  const fannedOutAt = async (leadId: string): Promise<Date | null> =>
    (
      await db.dataSource.query<Array<{ fanned_out_at: Date | null }>>(
        `SELECT fanned_out_at FROM lead_erasure WHERE lead_id = $1`,
        [leadId],
      )
    )[0].fanned_out_at;
  const sent = (leadId: string) =>
    waitUntil(
      `lead.deleted of ${leadId} SENT`,
      async () => ((await deliveries(leadId))[0]?.status === 'SENT' ? true : undefined),
      { timeoutMs: 20_000 },
    );
  /** Long enough for several sweeps to have looked at anything older than the margin. */
  const severalSweeps = () => new Promise((resolve) => setTimeout(resolve, SWEEP_MARGIN_MS + 2_000));

  it('publishes again a lead.deleted never fanned out (its message lost) and delivers it once, with its event id, counted', async () => {
    expect(await fannedOutAt(lostLeadId)).toBeNull();
    await sent(lostLeadId);
    const eventId = await eventIdOf(lostLeadId);
    expect(await deliveries(lostLeadId)).toEqual([{ status: 'SENT', attempt_count: 1, event_id: eventId }]);
    const requests = deletedRequestsFor(lostLeadId);
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0].body)).toMatchObject({ event_id: eventId, lead_id: lostLeadId });
    expect(await fannedOutAt(lostLeadId)).toBeInstanceOf(Date);
    const metrics = (
      await dispatcher.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' })
    ).body;
    expect(metrics).toMatch(/leadhooks_stranded_leads_requeued_total\{[^}]*kind="event"[^}]*\} [1-9]/);
    // Once fanned out, never published again (a sweep that ran between its publication and its fan-out may have
    // published it a second time: that copy finds its delivery existing).
    const published = await outboxRows(lostLeadId);
    await severalSweeps();
    expect(await outboxRows(lostLeadId)).toBe(published);
    expect(deletedRequestsFor(lostLeadId)).toHaveLength(1);
    expect(await deliveries(lostLeadId)).toHaveLength(1);
  }, 30_000);

  it('puts back a PENDING lead.deleted delivery nothing will attempt, at its next attempt number', async () => {
    await sent(orphanLeadId);
    expect(await deliveries(orphanLeadId)).toEqual([
      { status: 'SENT', attempt_count: 2, event_id: await eventIdOf(orphanLeadId) },
    ]);
    expect(deletedRequestsFor(orphanLeadId)).toHaveLength(1);
  });

  it('never publishes twice a lead.deleted already fanned out: to an endpoint, to none, or for a lead whose site is gone', async () => {
    const delivered = (await seedLead(db.dataSource, site)).data.lead_id;
    const quiet = await siteWithEndpoint(['lead.created']);
    const unsubscribed = (await seedLead(db.dataSource, quiet.site)).data.lead_id;
    await erasures.erase(delivered, actor, { wait });
    await erasures.erase(unsubscribed, actor, { wait });
    await sent(delivered);
    for (const leadId of [delivered, unsubscribed, goneLeadId]) {
      await waitUntil(`lead.deleted of ${leadId} fanned out`, async () =>
        (await fannedOutAt(leadId)) ? true : undefined,
      );
      await backdate(leadId);
    }
    await severalSweeps();
    for (const leadId of [delivered, unsubscribed, goneLeadId]) expect(await outboxRows(leadId)).toBe(1);
    expect(deletedRequestsFor(delivered)).toHaveLength(1);
    expect(await deliveries(unsubscribed)).toEqual([]);
    expect(await deliveries(goneLeadId)).toEqual([]);
    expect(receiver.requests.filter((r) => r.body.includes(unsubscribed))).toEqual([]);
    expect(receiver.requests.filter((r) => r.body.includes(goneLeadId))).toEqual([]);
  }, 30_000);
});
