import { describe, expect, it, jest } from '@jest/globals';
import { Registry } from 'prom-client';
import type { LeadEvent } from '@leadhooks/contracts';
import type { AttemptRecord, DeliveryLockRepository, Endpoint } from '@leadhooks/db';
import type { ConsumedMessage } from '@leadhooks/messaging';
import type { OutboxRelayService } from '@leadhooks/outbox';
import type { WebhookDelivery, WebhookResult } from '@leadhooks/webhooks';
import { loadDispatcherConfig } from '../config/dispatcher.config.js';
import { DeliveryMetrics } from '../metrics/delivery-metrics.js';
import { type Claimed, DeliveryRunner } from './delivery-runner.service.js';
import { OutboundMapper } from './outbound-mapper.service.js';

const config = loadDispatcherConfig({
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/leadhooks',
  DATA_ENCRYPTION_KEY: Buffer.from('a per-test key, 32 bytes long!!!').toString('base64'),
  KAFKA_BROKERS: '127.0.0.1:9092',
});

const endpoint = {
  id: 'e1',
  siteId: 's1',
  name: 'zapier',
  kind: 'manual',
  url: 'https://hooks.example.com/catch/1',
  enabled: true,
  events: ['lead.created'],
  auth: 'standard_webhooks',
  format: 'flat',
  headers: {},
  timeoutMs: null,
  rateLimitPerSecond: null,
  secret: 'whsec_x',
  previousSecret: null,
  previousSecretExpiresAt: null,
  problem: null,
} as unknown as Endpoint;

const claim = (): Claimed => ({
  kind: 'claimed',
  deliveryId: 'd1',
  token: 't1',
  target: { site: { id: 's1', hostname: 'site.test', name: 'Site' }, endpoint },
  dataKey: null,
  attemptCount: 0,
  leaseUntil: new Date(Date.now() + 60_000),
  leaseDeadline: performance.now() + 60_000,
});

const context = {
  consumed: {
    topic: 'lead.created',
    physicalTopic: 'lead.created',
    partition: 0,
    message: { offset: '0', headers: {}, key: null, value: null, timestamp: String(Date.now()) },
    heartbeat: () => Promise.resolve(),
  } as unknown as ConsumedMessage,
  event: {
    id: 'ev1',
    type: 'lead.created',
    occurred_at: new Date().toISOString(),
    data: { lead_id: 'l1', site_id: 's1' },
  } as unknown as LeadEvent,
  attempt: 1,
  cycleStep: 0,
  tier: 'main',
};

const answered: WebhookResult = {
  ok: true,
  status: 200,
  durationMs: 5,
  errorClass: null,
  error: null,
  errorSummary: null,
  responseSnippet: 'whatever the receiver said',
  retryAfter: undefined,
};

function runnerWith(
  recordSuccess: (id: string, token: string, record: AttemptRecord) => Promise<boolean>,
  stillSendable: () => Promise<boolean> = () => Promise.resolve(true),
) {
  const lock = {
    recordSuccess: jest.fn(recordSuccess),
    release: jest.fn<(id: string, token: string) => Promise<boolean>>(() => Promise.resolve(true)),
    stillSendable: jest.fn<(id: string, token: string) => Promise<boolean>>(stillSendable),
  };
  const deliver = jest.fn(() => Promise.resolve(answered));
  const sut = new DeliveryRunner(
    config,
    lock as unknown as DeliveryLockRepository,
    { wake: () => undefined } as unknown as OutboxRelayService,
    { deliver } as unknown as WebhookDelivery,
    new DeliveryMetrics(new Registry()),
    new OutboundMapper(config),
  );
  return { sut, lock, deliver };
}

describe(DeliveryRunner.name, () => {
  it("records the outcome without the receiver's text when the full outcome cannot be stored", async () => {
    let calls = 0;
    const { sut, lock } = runnerWith(() =>
      ++calls === 1
        ? Promise.reject(new Error('unsupported Unicode escape sequence'))
        : Promise.resolve(true),
    );
    await expect(sut.run(context, claim())).resolves.toEqual({ kind: 'done' });
    expect(lock.recordSuccess).toHaveBeenCalledTimes(2);
    expect(lock.recordSuccess.mock.calls[1][2]).toMatchObject({ httpStatus: 200, responseSnippet: null });
    expect(lock.release).not.toHaveBeenCalled();
  });

  it('gives the lease back when no outcome at all can be recorded, and says so by failing', async () => {
    const { sut, lock } = runnerWith(() => Promise.reject(new Error('the database is away')));
    await expect(sut.run(context, claim())).rejects.toThrow('the database is away');
    expect(lock.release).toHaveBeenCalledWith('d1', 't1');
  });

  it('lets an endpoint hold its in-flight slots and no more: a claim beyond them waits, with no request and no attempt', async () => {
    const { sut, lock } = runnerWith(() => Promise.resolve(true));
    const held = Array.from({ length: config.slots.perEndpoint }, () => sut.slots.tryAcquire('s1', 'e1'));
    const retryContext = {
      ...context,
      consumed: { ...context.consumed, topic: 'lead.created.retry.1m' },
    };
    const outcome = await sut.run(retryContext, claim());
    expect(outcome).toMatchObject({ kind: 'defer', reason: 'endpoint in-flight limit' });
    expect(lock.recordSuccess).not.toHaveBeenCalled();
    expect(lock.release).toHaveBeenCalledWith('d1', 't1');
    held.forEach((release) => release?.());
  });

  it('sends nothing when the endpoint was deleted or disabled while the delivery waited for a slot', async () => {
    let endpointGone = false;
    const { sut, lock, deliver } = runnerWith(
      () => Promise.resolve(true),
      () => Promise.resolve(!endpointGone),
    );
    const held = Array.from({ length: config.slots.perEndpoint }, () => sut.slots.tryAcquire('s1', 'e1'));
    const outcome = sut.run(context, claim());
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The DELETE answers, then a slot frees while the delivery still waits for one.
    endpointGone = true;
    held[0]?.();
    await expect(outcome).resolves.toMatchObject({ kind: 'defer' });
    expect(deliver).not.toHaveBeenCalled();
    expect(lock.stillSendable).toHaveBeenCalledWith('d1', 't1');
    expect(lock.release).toHaveBeenCalledWith('d1', 't1');
    expect(sut.slots.inFlight('s1', 'e1').endpoint).toBe(config.slots.perEndpoint - 1);
    held.slice(1).forEach((release) => release?.());
  });

  it('sends at once without looking again when a slot is free (no wait, no extra statement)', async () => {
    const { sut, lock, deliver } = runnerWith(() => Promise.resolve(true));
    await expect(sut.run(context, claim())).resolves.toEqual({ kind: 'done' });
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(lock.stillSendable).not.toHaveBeenCalled();
  });
});
