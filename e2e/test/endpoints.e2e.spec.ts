import { createHmac } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { HEADERS } from '@leadhooks/contracts';
import { DeliveryEntity, LeadEntity, OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  type ReceivedRequest,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { runDlt } from '../src/dlt-cli.js';
import { ADMIN_KEY, createSite, postLead, stackEnv } from '../src/stack.js';

interface EndpointCreated {
  id: string;
  name: string;
  secret: string;
  url: string;
}

/**
 * Many destinations per site (SPEC §11), both apps as processes: fan-out, independence of endpoints, auth modes
 * checked by independent code, lead.updated, and endpoints disabled mid-retry.
 */
describe('endpoints, deliveries and lead.updated (built apps, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  const deadLetters: KafkaMessage[] = [];
  let stopObserver: () => Promise<void>;
  const failing = new Set<string>();
  let env: Record<string, string>;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2eendpoints'),
      createTestKafka('e2eendpoints'),
      WebhookReceiver.start(),
    ]);
    env = stackEnv(db, kafka, { RETRY_DELAYS: '1s,1s,1s,1s,1s', RETRY_JITTER_PERCENT: '0' });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    receiver.respondWith((request) =>
      [...failing].some((path) => request.path.startsWith(path)) ? { status: 503 } : { status: 200 },
    );
    const observer = kafka.kafka.consumer({ groupId: kafka.groupId('dlt-observer'), maxWaitTimeInMs: 100 });
    await observer.connect();
    await observer.subscribe({ topics: [kafka.topics.physical('lead.created.dlt')], fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    stopObserver = () => observer.disconnect();
  });

  afterAll(async () => {
    await stopObserver?.();
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const base = () => receiver.url.replace(/\/hooks\/.*$/, '');
  const admin = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const addEndpoint = async (siteId: string, settings: Record<string, unknown>) => {
    const created = await admin<EndpointCreated>('POST', `/v1/admin/sites/${siteId}/endpoints`, settings);
    expect(created.status).toBe(201);
    return created.body;
  };
  const to = (path: string) => receiver.requests.filter((r) => r.path.startsWith(path));
  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const header = (request: ReceivedRequest, name: string) => request.headers[name] as string | undefined;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it('sends one lead to a Zapier hook and a Make endpoint (secret header); a failing CRM walks its own tiers to the DLT without delaying or re-sending the others', async () => {
    const site = await createSite(api, 'fanout.test', `${base()}/zapier/catch/1/`);
    const make = await addEndpoint(site.id, {
      name: 'make',
      url: `${base()}/make/scenario`,
      auth: 'secret_header',
    });
    const crm = await addEndpoint(site.id, {
      name: 'crm',
      url: `${base()}/crm/leads`,
      format: 'envelope',
      headers: { 'X-Api-Key': 'crm-key-123' },
    });
    failing.add('/crm/');
    const posted = Date.now();
    const { body } = await postLead(api, 'fanout.test', {
      name: 'Ada',
      email: 'ada@example.com',
      plan: 'pro',
    });
    expect(body.zapier_status).toBe('PENDING');

    // The healthy endpoints are served at once, each exactly once, each with its own auth.
    await waitUntil(
      'Zapier and Make served',
      () => (to('/zapier/').length && to('/make/').length) || undefined,
    );
    const [zapier] = to('/zapier/');
    const [makeRequest] = to('/make/');
    expect(Math.max(zapier.receivedAt, makeRequest.receivedAt) - posted).toBeLessThan(1_000);
    expect(
      new Webhook(site.zapier.secret).verify(zapier.body, zapier.headers as Record<string, string>),
    ).toMatchObject({ event: 'lead.created', lead_id: body.id, email: 'ada@example.com', plan: 'pro' });
    expect(header(makeRequest, 'x-webhook-secret')).toBe(make.secret);
    expect(header(makeRequest, 'webhook-signature')).toBeUndefined();
    for (const request of [zapier, makeRequest])
      expect(header(request, 'x-webhook-event')).toBe('lead.created');
    expect(header(zapier, 'x-webhook-delivery-id')).not.toBe(header(makeRequest, 'x-webhook-delivery-id'));

    // The CRM fails: six attempts through the tiers, one delivery id throughout, then its own dead letter.
    const dead = await waitUntil(
      'the CRM delivery dead-lettered',
      () => deadLetters.find((m) => m.headers?.[HEADERS.endpointId]?.toString() === crm.id),
      { timeoutMs: 30_000 },
    );
    const attempts = to('/crm/');
    expect(attempts).toHaveLength(6);
    expect(new Set(attempts.map((r) => header(r, 'x-webhook-delivery-id'))).size).toBe(1);
    expect(dead.headers?.[HEADERS.deliveryId]?.toString()).toBe(header(attempts[0], 'x-webhook-delivery-id'));
    const envelope = JSON.parse(attempts[5].body) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      event: 'lead.created',
      attempt: 6,
      data: { lead_id: body.id, extra: { plan: 'pro' } },
    });
    expect(header(attempts[0], 'x-api-key')).toBe('crm-key-123');
    new Webhook(crm.secret).verify(attempts[0].body, attempts[0].headers as Record<string, string>);
    await settle();
    expect(to('/zapier/')).toHaveLength(1);
    expect(to('/make/')).toHaveLength(1);
    // zapier_status follows the zapier endpoint only.
    expect(await lead(body.id)).toMatchObject({ zapierStatus: 'SENT', zapierAttemptCount: 1 });

    const shown = await admin<{
      attempts: unknown[];
      deliveries: Array<{
        endpoint_name: string;
        status: string;
        attempt_count: number;
        attempts: unknown[];
      }>;
    }>('GET', `/v1/leads/${body.id}`);
    expect(shown.body.attempts).toHaveLength(1);
    expect(
      Object.fromEntries(
        shown.body.deliveries.map((d) => [d.endpoint_name, [d.status, d.attempt_count, d.attempts.length]]),
      ),
    ).toEqual({ zapier: ['SENT', 1, 1], make: ['SENT', 1, 1], crm: ['FAILED', 6, 6] });
    const log = await admin<{ items: Array<{ endpoint_id: string }> }>(
      'GET',
      `/v1/admin/deliveries?site_id=${site.id}&status=FAILED`,
    );
    expect(log.body.items.map((d) => d.endpoint_id)).toEqual([crm.id]);
    const stats = await admin<Record<string, unknown>>(
      'GET',
      `/v1/admin/endpoints/${crm.id}/stats?window=1h`,
    );
    expect(stats.body).toMatchObject({
      failed: 1,
      sent: 0,
      consecutive_failures: 6,
      failing: true,
      success_rate: 0,
    });
    expect(
      (await admin<Record<string, unknown>>('GET', `/v1/admin/endpoints/${make.id}/stats`)).body,
    ).toMatchObject({
      sent: 1,
      failing: false,
      success_rate: 1,
    });
    const metrics = await (await fetch(`${dispatcher.url}/metrics`)).text();
    expect(metrics).toMatch(
      /leadhooks_delivery_retries_total\{[^}]*event="lead.created"[^}]*reason="http_5xx"[^}]*\} 5/,
    );
    expect(metrics).toMatch(/leadhooks_endpoints_failing\{[^}]*\} 1/);

    // Ops fix the CRM and replay its dead letter: it is delivered; the others are never sent again.
    failing.delete('/crm/');
    const listed = await runDlt(['list', '--event', 'lead.created', '--endpoint', crm.id], { ...env });
    expect(listed.stdout).toContain(body.id);
    expect((await runDlt(['replay', '--endpoint', crm.id, '--yes'], { ...env })).code).toBe(0);
    await waitUntil(
      'the CRM delivery SENT',
      async () =>
        (await db.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ endpointId: crm.id })).status ===
          'SENT' || undefined,
    );
    await settle();
    expect(to('/crm/')).toHaveLength(7);
    expect(to('/zapier/')).toHaveLength(1);
    expect(to('/make/')).toHaveLength(1);
  });

  it('sends lead.updated with changes and version only to endpoints subscribed to it, signed hmac_sha256_hex; a PATCH that changes nothing emits nothing', async () => {
    const site = await createSite(api, 'updates.test', null, false);
    const updates = await addEndpoint(site.id, {
      name: 'n8n',
      url: `${base()}/n8n/updates`,
      events: ['lead.updated'],
      auth: 'hmac_sha256_hex',
    });
    const { body } = await postLead(api, 'updates.test', { email: 'grace@example.com', plan: 'basic' });
    expect(body.zapier_status).toBe('NOT_CONFIGURED');
    await waitUntil('the lead.created fanned out', async () =>
      (await lead(body.id)).fannedOutAt ? true : undefined,
    );
    await settle();
    expect(to('/n8n/')).toHaveLength(0);

    const patched = await admin<{ version: number; phone: string }>('PATCH', `/v1/leads/${body.id}`, {
      phone: '+1 555 0100',
      extra: { plan: 'pro' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, phone: '+1 555 0100' });
    const [request] = await waitUntil('the lead.updated delivered', () =>
      to('/n8n/').length ? to('/n8n/') : undefined,
    );
    const expected = `sha256=${createHmac('sha256', updates.secret).update(request.body).digest('hex')}`;
    expect(header(request, 'x-webhook-signature')).toBe(expected);
    expect(header(request, 'x-webhook-event')).toBe('lead.updated');
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'lead.updated',
      lead_id: body.id,
      lead_version: 2,
      changed_fields: 'phone,plan',
      previous_phone: null,
      previous_plan: 'basic',
      phone: '+1 555 0100',
      plan: 'pro',
      email: 'grace@example.com',
    });

    const again = await admin<{ version: number }>('PATCH', `/v1/leads/${body.id}`, {
      phone: '+1 555 0100',
      extra: { plan: 'pro' },
    });
    expect(again).toMatchObject({ status: 200, body: { version: 2 } });
    const events = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .findBy({ aggregateId: body.id, eventType: 'lead.updated' });
    expect(events.filter((event) => event.topic === 'lead.updated')).toHaveLength(1);
    await settle();
    expect(to('/n8n/')).toHaveLength(1);
    expect((await admin('PATCH', `/v1/leads/${body.id}`, { email: null, phone: null })).status).toBe(400);
  });

  it('ends a delivery SKIPPED, never sent, when its endpoint is disabled while it waits for a retry', async () => {
    const site = await createSite(api, 'disable.test', null, false);
    const flaky = await addEndpoint(site.id, { name: 'flaky', url: `${base()}/flaky/` });
    failing.add('/flaky/');
    const { body } = await postLead(api, 'disable.test', { email: 'linus@example.com' });
    await waitUntil('the first attempt failed', () => (to('/flaky/').length ? true : undefined));
    expect((await admin('PATCH', `/v1/admin/endpoints/${flaky.id}`, { enabled: false })).status).toBe(200);
    failing.delete('/flaky/');
    await waitUntil('the delivery SKIPPED', async () =>
      (await db.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ leadId: body.id })).status ===
      'SKIPPED'
        ? true
        : undefined,
    );
    expect((await admin('PATCH', `/v1/admin/endpoints/${flaky.id}`, { enabled: true })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(to('/flaky/')).toHaveLength(1);
  });
});
