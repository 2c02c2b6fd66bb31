import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS } from '@leadhooks/contracts';
import { DeliveryAttemptEntity, LeadEntity, type Site } from '@leadhooks/db';
import { EventPublisher } from '@leadhooks/messaging';
import {
  createTestDatabase,
  createTestKafka,
  firstAttemptHeaders,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  waitForGroupToConsume,
  waitForLeadStatus,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { startTestDispatcher } from './dispatcher-harness.js';

const DELAYS_MS = [1000, 2000, 4000, 8000, 16000];

describe('zapier-dispatcher retry tiers and DLT (real Kafka + Postgres, delays scaled to seconds)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let dispatcher: NestFastifyApplication;
  let publisher: EventPublisher;
  const deadLetters: KafkaMessage[] = [];
  let stopDltObserver: () => Promise<void>;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('retries'),
      createTestKafka('retries'),
      WebhookReceiver.start(),
    ]);
    publisher = new EventPublisher(kafka.kafka);
    ({ app: dispatcher } = await startTestDispatcher(db, kafka, { RETRY_JITTER_PERCENT: '0' }));
    const observer = kafka.kafka.consumer({ groupId: kafka.groupId('dlt-observer'), maxWaitTimeInMs: 100 });
    await observer.connect();
    await observer.subscribe({ topic: kafka.topics.dlt, fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    stopDltObserver = () => observer.disconnect();
  });

  afterAll(async () => {
    await dispatcher?.close();
    await stopDltObserver?.();
    await publisher?.disconnect();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const attempts = (leadId: string) =>
    db.dataSource.getRepository(DeliveryAttemptEntity).find({ where: { leadId }, order: { attempt: 'ASC' } });
  const requestsFor = (leadId: string) =>
    receiver.requests.filter((r) => (JSON.parse(r.body) as { lead_id: string }).lead_id === leadId);

  async function submit(site: Site) {
    const event = await seedLead(db.dataSource, site);
    await publisher.publish(kafka.topics.main, [
      { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() },
    ]);
    return event.data.lead_id;
  }

  /** A site whose hook path tells the receiver how to behave, so tests in this file do not interfere. */
  async function siteAnswering(behaviour: string) {
    return seedSite(db.dataSource, { webhookUrl: `${receiver.url}${behaviour}`, enabled: true });
  }

  beforeAll(() => {
    const seen = new Map<string, number>();
    receiver.respondWith((request) => {
      const count = (seen.get(request.path) ?? 0) + 1;
      seen.set(request.path, count);
      const failTimes = /fail-(\d+)/.exec(request.path);
      if (failTimes) return count <= Number(failTimes[1]) ? { status: 500, body: 'boom' } : { status: 200 };
      if (request.path.endsWith('always-503')) return { status: 503, body: 'down for maintenance' };
      if (request.path.endsWith('gone')) return count === 1 ? { status: 410, body: 'gone' } : { status: 200 };
      if (request.path.endsWith('slow'))
        return count === 1 ? { status: 200, delayMs: 3000 } : { status: 200 };
      if (request.path.endsWith('throttle'))
        return count === 1 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 };
      return { status: 200 };
    });
  });

  it('delivers after exactly N+1 attempts when the receiver fails N times, each retry within 1 s after its delay', async () => {
    const leadId = await submit(await siteAnswering('fail-2'));
    await waitForLeadStatus(db.dataSource, leadId, 'SENT', 15_000);
    const received = requestsFor(leadId);
    expect(received).toHaveLength(3);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(
      Array(3).fill(received[0].headers['webhook-id']),
    );
    for (let retry = 1; retry < received.length; retry++) {
      const gap = received[retry].receivedAt - received[retry - 1].receivedAt;
      expect(gap).toBeGreaterThanOrEqual(DELAYS_MS[retry - 1]);
      expect(gap).toBeLessThan(DELAYS_MS[retry - 1] + 1000);
    }
    expect((await attempts(leadId)).map((a) => [a.attempt, a.tier, a.httpStatus])).toEqual([
      [1, 'main', 500],
      [2, '1m', 500],
      [3, '2m', 200],
    ]);
    expect(await lead(leadId)).toMatchObject({ zapierAttemptCount: 3, zapierLastError: null });
  });

  it('counts 410 as a failure and retries it (never auto-disables)', async () => {
    const leadId = await submit(await siteAnswering('gone'));
    await waitForLeadStatus(db.dataSource, leadId, 'SENT', 10_000);
    expect((await attempts(leadId)).map((a) => a.httpStatus)).toEqual([410, 200]);
  });

  it('records a timeout as a failed attempt and retries', async () => {
    const leadId = await submit(await siteAnswering('slow'));
    await waitForLeadStatus(db.dataSource, leadId, 'SENT', 15_000);
    const [first, second] = await attempts(leadId);
    expect(first).toMatchObject({
      errorClass: 'timeout',
      httpStatus: null,
      error: 'timed out after 2000 ms',
    });
    expect(second).toMatchObject({ httpStatus: 200 });
  });

  it('records a refused connection as a failed attempt with a readable error', async () => {
    const site = await seedSite(db.dataSource, {
      webhookUrl: 'http://127.0.0.1:9/hooks/closed',
      enabled: true,
    });
    const leadId = await submit(site);
    await waitUntil('first attempt recorded', async () =>
      (await lead(leadId)).zapierAttemptCount >= 1 ? true : undefined,
    );
    const stored = await lead(leadId);
    expect(stored).toMatchObject({ zapierStatus: 'PENDING', zapierLastError: 'connection refused' });
    expect((await attempts(leadId))[0]).toMatchObject({ errorClass: 'refused', tier: 'main' });
  });

  it('waits at least as long as a 429 Retry-After asks before the next attempt', async () => {
    const leadId = await submit(await siteAnswering('throttle'));
    await waitForLeadStatus(db.dataSource, leadId, 'SENT', 15_000);
    const [first, second] = requestsFor(leadId);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(3000);
    expect(second.receivedAt - first.receivedAt).toBeLessThan(4000);
  });

  it('sends one POST for a message duplicated onto two partitions and consumed concurrently', async () => {
    const site = await siteAnswering('dup');
    receiver.respondWith(() => ({ status: 200, delayMs: 500 }));
    const event = await seedLead(db.dataSource, site);
    const message = { key: event.data.lead_id, value: JSON.stringify(event), headers: firstAttemptHeaders() };
    await Promise.all(
      [0, 1, 2].map((partition) => publisher.publish(kafka.topics.main, [{ ...message, partition }])),
    );
    await waitUntil('lead SENT', async () =>
      (await lead(event.data.lead_id)).zapierStatus === 'SENT' ? true : undefined,
    );
    // Every copy handled (its offset committed), not just the first: then count.
    await waitForGroupToConsume(kafka.kafka, kafka.groupId('dispatcher'), kafka.topics.main);
    expect(requestsFor(event.data.lead_id)).toHaveLength(1);
  });

  it('dead-letters after 1 + 5 tiers of failures, marks the lead FAILED, and the DLT message carries the history', async () => {
    // The receiver echoes the lead's email: Postgres keeps its words (erasure clears them), the headers name the status only.
    receiver.respondWith((request) => ({
      status: 503,
      body: `down for maintenance, ${(JSON.parse(request.body) as { email: string }).email} not stored`,
    }));
    const site = await siteAnswering('always-503');
    const leadId = await submit(site);
    const dead = await waitUntil('DLT message', () => deadLetters.find((m) => m.key?.toString() === leadId), {
      timeoutMs: 45_000,
    });
    const failed = await waitUntil('lead FAILED', async () => {
      const current = await lead(leadId);
      return current.zapierStatus === 'FAILED' ? current : undefined;
    });
    expect(requestsFor(leadId)).toHaveLength(6);
    expect(failed).toMatchObject({
      zapierAttemptCount: 6,
      zapierLastError: 'HTTP 503 Service Unavailable: down for maintenance, ada@example.com not stored',
    });
    expect((await attempts(leadId)).map((a) => a.tier)).toEqual(['main', '1m', '2m', '4m', '8m', '16m']);
    const header = (name: string) => dead.headers?.[name]?.toString();
    expect(header(HEADERS.deadLetterReason)).toBe('exhausted');
    expect(header(HEADERS.originalTopic)).toBe('lead.created');
    expect(header(HEADERS.originalPartition)).toMatch(/^\d+$/);
    expect(header(HEADERS.originalOffset)).toMatch(/^\d+$/);
    expect(header(HEADERS.lastStatus)).toBe('503');
    expect(header(HEADERS.lastError)).toBe('HTTP 503');
    const everyHeader = Object.keys(dead.headers ?? {}).map(header);
    expect(everyHeader.join('\n')).not.toMatch(/ada@example\.com|maintenance/);
    expect(Date.parse(header(HEADERS.firstFailureAt) ?? '')).not.toBeNaN();
    const history = JSON.parse(header(HEADERS.history) ?? '[]') as Array<{
      attempt: number;
      tier: string;
      status: number;
      error: string;
    }>;
    expect(new Set(history.map((h) => h.error))).toEqual(new Set(['HTTP 503']));
    expect(history.map((h) => [h.attempt, h.tier, h.status])).toEqual([
      [1, 'main', 503],
      [2, '1m', 503],
      [3, '2m', 503],
      [4, '4m', 503],
      [5, '8m', 503],
      [6, '16m', 503],
    ]);
  }, 60_000);
});
