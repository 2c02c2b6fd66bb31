import { createHmac } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { Webhook } from 'standardwebhooks';
import { HEADERS } from '@leadhooks/contracts';
import { DeliveryAttemptEntity, DeliveryEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  TYPEFORM_FORM_RESPONSE,
  type ReceivedRequest,
  type TestDatabase,
  type TestKafka,
  waitUntil,
  WebhookReceiver,
} from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { runDlt } from '../src/dlt-cli.js';
import { ADMIN_KEY, createSite, postLead, stackEnv } from '../src/stack.js';

interface EndpointShown {
  id: string;
  secret?: string;
  secret_state?: string;
  secret_staged: boolean;
  format: string;
  mapping: string | null;
  signature_prefix: string;
  max_attempts: number;
  retry_on_4xx: boolean;
}

const MAPPING = `{
  "contact": {"email": lead.email, "name": $uppercase(lead.name)},
  "plan": lead.extra.plan,
  "event": event,
  "site": site.hostname,
  "attempt": attempt
}`;

/**
 * SPEC §14 outbound, both apps as processes on real Postgres and Kafka: a custom-mapped body sent byte for byte and
 * signed over those bytes, the guide's bare-hex signature, a mapping failure that is not the receiver's, the 4xx and
 * max_attempts policies, and a secret_header rotation in two steps.
 */
describe('outbound mapping, signature prefix and per-endpoint policy (built apps, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let env: Record<string, string>;
  const deadLetters: KafkaMessage[] = [];
  let stopObserver: () => Promise<void>;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2eoutbound'),
      createTestKafka('e2eoutbound'),
      WebhookReceiver.start(),
    ]);
    env = stackEnv(db, kafka, { RETRY_DELAYS: '1s,1s,1s,1s,1s', RETRY_JITTER_PERCENT: '0' });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    receiver.respondWith((request) => {
      const status = /\/status-(\d{3})\//.exec(request.path);
      return { status: status ? Number(status[1]) : 200 };
    });
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
  const admin = async <T>(method: string, path: string, body?: unknown) => {
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
    const created = await admin<EndpointShown & { secret: string }>(
      'POST',
      `/v1/admin/sites/${siteId}/endpoints`,
      settings,
    );
    expect(created.status).toBe(201);
    return created.body;
  };
  const to = (path: string) => receiver.requests.filter((r) => r.path.startsWith(path));
  const header = (request: ReceivedRequest, name: string) => request.headers[name] as string | undefined;
  const delivery = (endpointId: string) =>
    db.dataSource.getRepository(DeliveryEntity).findOneBy({ endpointId });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 3_000));

  it('sends a custom-mapped body that is exactly the mapping output, signed over those bytes; the guide check accepts signature_prefix ""', async () => {
    const site = await createSite(api, 'custom.test', null, false);
    const bare = await addEndpoint(site.id, {
      name: 'crm',
      url: `${base()}/crm/leads`,
      format: 'custom',
      mapping: MAPPING,
      auth: 'hmac_sha256_hex',
      signature_prefix: '',
    });
    expect(bare).toMatchObject({ format: 'custom', mapping: MAPPING, signature_prefix: '', max_attempts: 6 });
    const standard = await addEndpoint(site.id, {
      name: 'std',
      url: `${base()}/std/leads`,
      format: 'custom',
      mapping: MAPPING,
    });
    const { body: lead } = await postLead(api, 'custom.test', {
      name: 'Ada',
      email: 'ada@example.com',
      plan: 'pro',
    });

    const [crm] = await waitUntil('the CRM request', () => to('/crm/').length === 1 && to('/crm/'));
    const expected =
      '{"contact":{"email":"ada@example.com","name":"ADA"},"plan":"pro","event":"lead.created","site":"custom.test","attempt":1}';
    expect(crm.body).toBe(expected);
    // The integration guide's check: a bare hex HMAC-SHA256 of the raw body, keyed with the secret as shown.
    const digest = createHmac('sha256', bare.secret).update(Buffer.from(crm.body, 'utf8')).digest('hex');
    expect(header(crm, 'x-webhook-signature')).toBe(digest);
    expect(header(crm, 'content-type')).toBe('application/json');
    expect(header(crm, 'x-webhook-event')).toBe('lead.created');

    // Standard Webhooks signs the same bytes.
    const [std] = await waitUntil('the standard request', () => to('/std/').length === 1 && to('/std/'));
    expect(std.body).toBe(expected);
    new Webhook(standard.secret).verify(std.body, std.headers as Record<string, string>);

    // The preview renders the very same body for that stored lead, with the headers the endpoint would send.
    const preview = await admin<{ body: string; source: string; headers: Record<string, string> }>(
      'POST',
      '/v1/admin/mappings/preview',
      { mapping: MAPPING, lead_id: lead.id, endpoint_id: bare.id },
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ source: 'lead', body: expected });
    expect(preview.body.headers['x-webhook-signature']).toBe(digest);
    // Without a lead id: the site's newest lead.
    expect(
      (
        await admin<{ body: string }>('POST', '/v1/admin/mappings/preview', {
          mapping: MAPPING,
          site_id: site.id,
        })
      ).body.body,
    ).toBe(expected);
    const syntax = await admin<{ message: string; errors: unknown[] }>('POST', '/v1/admin/mappings/preview', {
      mapping: '{"a": lead.email',
      sample: true,
    });
    expect(syntax.status).toBe(400);
    expect(syntax.body.message).toMatch(/\(at \d+\)/);
    expect((await admin('PATCH', `/v1/admin/endpoints/${bare.id}`, { mapping: '{"a": ' })).status).toBe(400);
  });

  it('takes a Typeform request through an inbound source to a custom-mapped endpoint: the body is exactly the mapping output, signed over those bytes', async () => {
    const site = await createSite(api, 'typeform-crm.test', null, false);
    const crm = await addEndpoint(site.id, {
      name: 'crm',
      url: `${base()}/typeform-crm/leads`,
      format: 'custom',
      mapping: MAPPING,
      auth: 'hmac_sha256_hex',
      signature_prefix: '',
    });
    const made = await admin<{ token: string }>('POST', `/v1/admin/sites/${site.id}/sources`, {
      name: 'Typeform',
      preset: 'typeform',
      secret: 'typeform-secret',
    });
    expect(made.status).toBe(201);
    // As Typeform sends it: the form_response JSON, signed base64 HMAC-SHA256 of the raw body with the secret.
    const body = JSON.stringify(TYPEFORM_FORM_RESPONSE);
    const posted = await fetch(`${api.url}/v1/inbound/${made.body.token}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'typeform-signature': `sha256=${createHmac('sha256', 'typeform-secret').update(body).digest('base64')}`,
      },
      body,
    });
    expect(posted.status).toBe(201);

    const [request] = await waitUntil(
      'the Typeform lead at the CRM',
      () => to('/typeform-crm/').length === 1 && to('/typeform-crm/'),
      { timeoutMs: 30_000 },
    );
    // The preset maps the answers to the lead (email and first name); the endpoint's mapping shapes the body.
    expect(request.body).toBe(
      '{"contact":{"email":"laura@example.com","name":"LAURA"},"event":"lead.created","site":"typeform-crm.test","attempt":1}',
    );
    const digest = createHmac('sha256', crm.secret).update(Buffer.from(request.body, 'utf8')).digest('hex');
    expect(header(request, 'x-webhook-signature')).toBe(digest);
    await settle();
    expect(to('/typeform-crm/')).toHaveLength(1);
  });

  it('ends a delivery whose mapping fails FAILED with reason mapping, no request, nothing against the receiver; replayed once fixed', async () => {
    const site = await createSite(api, 'broken.test', null, false);
    const endpoint = await addEndpoint(site.id, {
      name: 'broken',
      url: `${base()}/broken/leads`,
      format: 'custom',
      mapping: '{"n": $number(lead.email)}',
    });
    const { body: lead } = await postLead(api, 'broken.test', { name: 'Bo', email: 'bo@example.com' });
    const failed = await waitUntil(
      'the delivery FAILED',
      async () => ((await delivery(endpoint.id))?.status === 'FAILED' ? delivery(endpoint.id) : undefined),
      { timeoutMs: 30_000 },
    );
    expect(failed?.lastError).toMatch(/^mapping: /);
    expect(failed?.attemptCount).toBe(1);
    const dead = await waitUntil('its dead letter', () =>
      deadLetters.find((m) => m.headers?.[HEADERS.endpointId]?.toString() === endpoint.id),
    );
    expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toBe('mapping');
    // JSONata's message quotes the value it could not cast (the email): Postgres keeps it, the header does not.
    expect(failed?.lastError).toContain('bo@example.com');
    expect(dead.headers?.[HEADERS.lastError]?.toString()).toMatch(/^mapping: evaluation error D3030\b/);
    expect(dead.headers?.[HEADERS.retryable]?.toString()).toBe('false');
    await settle();
    expect(to('/broken/')).toHaveLength(0);
    const attempts = await db.dataSource
      .getRepository(DeliveryAttemptEntity)
      .findBy({ endpointId: endpoint.id });
    expect(attempts.map((a) => [a.httpStatus, a.errorClass])).toEqual([[null, 'mapping']]);
    const stats = await admin<Record<string, unknown>>(
      'GET',
      `/v1/admin/endpoints/${endpoint.id}/stats?window=1h`,
    );
    expect(stats.body).toMatchObject({ failed: 1, consecutive_failures: 0, failing: false, attempts: 0 });

    // Fixed, then replayed from the DLT: the fixed mapping's body is sent.
    expect(
      (await admin('PATCH', `/v1/admin/endpoints/${endpoint.id}`, { mapping: '{"email": lead.email}' }))
        .status,
    ).toBe(200);
    expect((await runDlt(['replay', '--endpoint', endpoint.id, '--yes'], env)).code).toBe(0);
    const [sent] = await waitUntil(
      'the replayed request',
      () => to('/broken/').length === 1 && to('/broken/'),
      {
        timeoutMs: 30_000,
      },
    );
    expect(sent.body).toBe('{"email":"bo@example.com"}');
    await waitUntil('SENT', async () => (await delivery(endpoint.id))?.status === 'SENT' || undefined);
    expect(lead.id).toBeTruthy();
  });

  it('ends a 4xx FAILED after one attempt when retry_on_4xx is false; max_attempts bounds a failing cycle', async () => {
    const site = await createSite(api, 'policy.test', null, false);
    const strict = await addEndpoint(site.id, {
      name: 'strict',
      url: `${base()}/strict/status-422/`,
      retry_on_4xx: false,
    });
    const lenient = await addEndpoint(site.id, {
      name: 'lenient',
      url: `${base()}/lenient/status-422/`,
      max_attempts: 2,
    });
    const twice = await addEndpoint(site.id, {
      name: 'twice',
      url: `${base()}/twice/status-503/`,
      max_attempts: 2,
      retry_on_4xx: false,
    });
    await postLead(api, 'policy.test', { email: 'p@example.com' });
    for (const endpoint of [strict, lenient, twice])
      await waitUntil(
        `${endpoint.id} FAILED`,
        async () => (await delivery(endpoint.id))?.status === 'FAILED' || undefined,
        { timeoutMs: 30_000 },
      );
    await settle();
    expect([to('/strict/').length, to('/lenient/').length, to('/twice/').length]).toEqual([1, 2, 2]);
    expect((await delivery(strict.id))?.attemptCount).toBe(1);
    const strictDead = deadLetters.find((m) => m.headers?.[HEADERS.endpointId]?.toString() === strict.id);
    expect(strictDead?.headers?.[HEADERS.retryable]?.toString()).toBe('false');
  });

  it('rotates a secret_header secret in two steps: the old receiver keeps working until activation', async () => {
    const site = await createSite(api, 'rotate.test', null, false);
    const endpoint = await addEndpoint(site.id, {
      name: 'make',
      url: `${base()}/make/scenario`,
      auth: 'secret_header',
    });
    const old = endpoint.secret;
    const secretsSent = () => to('/make/').map((r) => header(r, 'x-webhook-secret'));
    await postLead(api, 'rotate.test', { email: 'r1@example.com' });
    await waitUntil('lead 1', () => to('/make/').length === 1 || undefined);

    const rotated = await admin<EndpointShown>(
      'POST',
      `/v1/admin/endpoints/${endpoint.id}/rotate-secret`,
      {},
    );
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ secret_state: 'staged', secret_staged: true });
    const next = rotated.body.secret!;
    expect(next).not.toBe(old);
    // Not activated: real deliveries still carry the old secret (a receiver not updated yet keeps accepting).
    await postLead(api, 'rotate.test', { email: 'r2@example.com' });
    await waitUntil('lead 2', () => to('/make/').length === 2 || undefined);
    // The staged secret can be tried with a test send.
    const test = await admin<{ ok: boolean }>('POST', `/v1/admin/endpoints/${endpoint.id}/test`, {
      secret: 'staged',
    });
    expect(test.body.ok).toBe(true);
    expect(secretsSent()).toEqual([old, old, next]);
    expect((await admin('GET', `/v1/admin/endpoints/${endpoint.id}`)).body).not.toHaveProperty('secret');

    const activated = await admin<EndpointShown>(
      'POST',
      `/v1/admin/endpoints/${endpoint.id}/activate-secret`,
    );
    expect(activated.status).toBe(200);
    expect(activated.body.secret_staged).toBe(false);
    await postLead(api, 'rotate.test', { email: 'r3@example.com' });
    await waitUntil('lead 3', () => to('/make/').length === 4 || undefined);
    expect(secretsSent()).toEqual([old, old, next, next]);
    expect((await admin('POST', `/v1/admin/endpoints/${endpoint.id}/activate-secret`)).status).toBe(409);
    expect(dispatcher.output.join('')).not.toContain(next);
  });
});
