import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS, requeueMessage } from '@leadhooks/contracts';
import {
  DeliveryRepository,
  LeadEntity,
  SecretBox,
  type Site,
  SiteRepository,
  type ZapierStatus,
} from '@leadhooks/db';
import { EventPublisher } from '@leadhooks/messaging';
import {
  firstAttemptHeaders,
  seedLead,
  seedSite,
  startTestbed,
  type Testbed,
  type TestDatabase,
  type TestKafka,
  testLeadKeys,
  waitForLeadStatus,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { generateWebhookSecret } from '@leadhooks/webhooks';
import { startTestDispatcher } from './dispatcher-harness.js';

/**
 * One partition per topic, so every message here shares a partition with the others: what one lead does to
 * its partition (not due yet, leased, unreadable) is seen by the next.
 */
describe('zapier-dispatcher: one lead never stalls, loses or poisons another (real Kafka + Postgres)', () => {
  let testbed: Testbed;
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;
  const deadLetters: KafkaMessage[] = [];
  let stopObserver: () => Promise<void>;

  beforeAll(async () => {
    testbed = await startTestbed('hardening', { partitions: 1 });
    ({ db, kafka, receiver } = testbed);
    publisher = new EventPublisher(kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(db, kafka, {
      RETRY_DELAYS: '1s,1s,1s,1s,5s',
      RETRY_JITTER_PERCENT: '0',
      SWEEP_INTERVAL: '300ms',
      SWEEP_MARGIN: '2s',
    }));
    const observer = kafka.kafka.consumer({ groupId: kafka.groupId('dlt-observer'), maxWaitTimeInMs: 100 });
    await observer.connect();
    await observer.subscribe({ topic: kafka.topics.dlt, fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    stopObserver = () => observer.disconnect();
    const seen = new Map<string, number>();
    receiver.respondWith((request) => {
      const count = (seen.get(request.path) ?? 0) + 1;
      seen.set(request.path, count);
      if (request.path.endsWith('retry-after-4'))
        return count === 1 ? { status: 429, headers: { 'retry-after': '4' } } : { status: 200 };
      if (request.path.endsWith('fail-once')) return count === 1 ? { status: 500 } : { status: 200 };
      return { status: 200 };
    });
  });

  afterAll(async () => {
    await dispatcher?.close();
    await stopObserver?.();
    await publisher?.disconnect();
    await testbed?.stop();
  });

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const requestsFor = (leadId: string) => receiver.requests.filter((r) => r.body.includes(leadId));
  const waitForStatus = (id: string, status: ZapierStatus, timeoutMs = 15_000) =>
    waitForLeadStatus(db.dataSource, id, status, timeoutMs);
  const siteAt = (path: string) =>
    seedSite(db.dataSource, { webhookUrl: `${receiver.url}${path}`, enabled: true });

  async function publishLead(site: Site) {
    const event = await seedLead(db.dataSource, site);
    await publisher.publish(kafka.topics.main, [
      { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() },
    ]);
    return event.data.lead_id;
  }

  it('dead-letters an unreadable event and an unknown version with the reason, marks their leads FAILED, and goes on with the partition', async () => {
    const site = await siteAt('ok');
    const broken = (await seedLead(db.dataSource, site)).data.lead_id;
    const future = await seedLead(db.dataSource, site);
    await publisher.publish(kafka.topics.main, [
      { key: broken, value: '{"type":"lead.created", nope', headers: firstAttemptHeaders() },
      {
        key: future.data.lead_id,
        value: JSON.stringify({ ...future, version: 2 }),
        headers: firstAttemptHeaders(),
      },
    ]);
    const after = await publishLead(site);
    await waitForStatus(after, 'SENT');
    for (const [id, reason] of [
      [broken, 'invalid-json'],
      [future.data.lead_id, 'unknown-version'],
    ] as const) {
      const dead = await waitUntil(`DLT message for ${id}`, () =>
        deadLetters.find((m) => m.key?.toString() === id),
      );
      expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toBe(reason);
      await waitForStatus(id, 'FAILED');
      expect((await lead(id)).zapierLastError).toContain(reason);
    }
    // Once the code understands it, a replay rebuilds the event from the stored lead (through the outbox) and delivers it.
    const deliveries = new DeliveryRepository(db.dataSource, testLeadKeys());
    const redelivery = await deliveries.redeliverLead(
      future.data.lead_id,
      {},
      ({ event, delivery, attemptCount }) => requeueMessage(event, delivery, attemptCount),
    );
    expect(redelivery).toMatchObject({ kind: 'done', fannedOut: true });
    await waitForStatus(future.data.lead_id, 'SENT');
  });

  it('fails only the lead of an endpoint sealed under another key (to the DLT, with the reason); its neighbours are delivered at once', async () => {
    const foreign = new SiteRepository(db.dataSource, new SecretBox(SecretBox.generateKey()));
    const alien = (await foreign.create({
      hostname: `alien-${Date.now()}.test`,
      name: 'Alien',
      webhookUrl: `${receiver.url}alien`,
      enabled: true,
      secret: generateWebhookSecret(),
    })) as Site;
    const good = await siteAt('good');
    const started = Date.now();
    const before = await Promise.all([publishLead(good), publishLead(good)]);
    const poisoned = await publishLead(alien);
    const after = await Promise.all([publishLead(good), publishLead(good)]);
    for (const id of [...before, ...after]) await waitForStatus(id, 'SENT', 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitForStatus(poisoned, 'FAILED');
    expect((await lead(poisoned)).zapierLastError).toMatch(/encryption key/);
    const dead = await waitUntil('the DLT message', () =>
      deadLetters.find((m) => m.key?.toString() === poisoned),
    );
    expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toBe('unreadable-endpoint');
    expect(requestsFor(poisoned)).toHaveLength(0);
  });

  it('does not hold a lead back behind a leased one on the same partition', async () => {
    const site = await siteAt('leased');
    const leased = await seedLead(db.dataSource, site);
    // Its delivery exists and is leased by someone else (as if a worker had died holding it).
    await db.dataSource.query(
      `INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, mirrors_lead, lock_token, locked_until)
       SELECT $1, 'lead.created', $2, $3, e.id, true, gen_random_uuid(), now() + interval '6 seconds'
         FROM endpoint e WHERE e.site_id = $3 AND e.name = 'zapier'`,
      [leased.id, leased.data.lead_id, site.id],
    );
    await publisher.publish(kafka.topics.main, [
      { key: leased.data.lead_id, value: JSON.stringify(leased), headers: firstAttemptHeaders() },
    ]);
    const started = Date.now();
    const next = await publishLead(site);
    await waitForStatus(next, 'SENT', 5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The leased lead is attempted once its lease has lapsed (its holder, here nobody, never recorded).
    await waitForStatus(leased.data.lead_id, 'SENT', 15_000);
  });

  it('keeps each retry within 1 s of its due time even behind a longer Retry-After in the same retry partition', async () => {
    const waiting = await publishLead(await siteAt('retry-after-4'));
    await waitUntil('the 429 answered', () => requestsFor(waiting).length === 1 || undefined);
    const quick = await publishLead(await siteAt('fail-once'));
    await waitForStatus(quick, 'SENT');
    const [first, second] = requestsFor(quick);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(second.receivedAt - first.receivedAt).toBeLessThan(2_000);
    await waitForStatus(waiting, 'SENT');
    const [asked, waited] = requestsFor(waiting);
    expect(waited.receivedAt - asked.receivedAt).toBeGreaterThanOrEqual(4_000);
    expect(waited.receivedAt - asked.receivedAt).toBeLessThan(5_000);
  });

  it('finds an event never fanned out and a PENDING delivery that nothing will attempt (their messages were lost) and delivers both, counting them', async () => {
    const site = await siteAt('stranded');
    const stranded = await seedLead(db.dataSource, site);
    // No message at all: as if the broker lost it before any dispatcher read it.
    await db.dataSource.query(`UPDATE lead SET created_at = now() - interval '1 minute' WHERE id = $1`, [
      stranded.data.lead_id,
    ]);
    const orphan = await seedLead(db.dataSource, site);
    // Fanned out and failed once; its retry message lost. Its next attempt was due long ago.
    await db.dataSource.query(
      `UPDATE lead SET fanned_out_at = now() - interval '1 minute', zapier_attempt_count = 1 WHERE id = $1`,
      [orphan.data.lead_id],
    );
    await db.dataSource.query(
      `INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, mirrors_lead, attempt_count, next_attempt_at, cycle_step)
       SELECT $1, 'lead.created', $2, $3, e.id, true, 1, now() - interval '1 minute', 1
         FROM endpoint e WHERE e.site_id = $3 AND e.name = 'zapier'`,
      [orphan.id, orphan.data.lead_id, site.id],
    );
    await waitForStatus(stranded.data.lead_id, 'SENT', 15_000);
    await waitForStatus(orphan.data.lead_id, 'SENT', 15_000);
    expect(requestsFor(stranded.data.lead_id)).toHaveLength(1);
    expect(requestsFor(orphan.data.lead_id)).toHaveLength(1);
    expect((await lead(orphan.data.lead_id)).zapierAttemptCount).toBe(2);
    const metrics = (
      await dispatcher.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' })
    ).body;
    expect(metrics).toMatch(/leadhooks_stranded_leads_requeued_total\{[^}]*\} [1-9]/);
  });
});
