import { createRequire } from 'node:module';
import { Webhook } from 'standardwebhooks';
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
import { ADMIN_KEY, createSite, postLead, stackEnv } from '../src/stack.js';

const require = createRequire(import.meta.url);
// The app is CommonJS, as Zapier runs it; its operations run through zapier-platform-core's own app tester.
const zapier = require('zapier-platform-core') as {
  createAppTester: (app: unknown) => <T>(method: unknown, bundle: Record<string, unknown>) => Promise<T>;
};
interface Operation {
  operation: Record<string, unknown>;
}
const App = require('@leadhooks/zapier-app') as {
  authentication: { test: unknown; connectionLabel: unknown };
  triggers: Record<'new_lead' | 'updated_lead' | 'deleted_lead' | 'recent_leads', Operation>;
  creates: Record<'create_lead' | 'update_lead', Operation>;
  searches: Record<'find_lead', Operation>;
};

const samples = require('@leadhooks/zapier-app/lib/samples') as Record<
  'NEW_LEAD_SAMPLE' | 'UPDATED_LEAD_SAMPLE' | 'DELETED_LEAD_SAMPLE' | 'LEAD_RECORD_SAMPLE',
  Record<string, unknown>
>;

type Payload = Record<string, unknown> & { id: string; lead_id: string; event: string };
interface Hook {
  id: string;
  secret: string;
  event: string;
}
interface Lead {
  id: string;
  email: string | null;
  name: string | null;
  lead_source: string | null;
  version: number;
}

/**
 * The Zapier integration (SPEC §12) run as Zapier runs it (zapier-platform-core's app tester, no HTTP mocking)
 * against a real leads-api and dispatcher on real Postgres and Kafka; target URLs are a local receiver.
 */
describe('Zapier app against the real stack', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let site: { id: string; hostname: string };
  let authData: { base_url: string; api_key: string };
  const appTester = zapier.createAppTester(App);
  const WEBHOOK_TIMEOUT_MS = 2_000;
  const log = (line: string) => process.stdout.write(`[zapier-app e2e] ${line}\n`);

  beforeAll(async () => {
    // The stack listens on loopback over plain HTTP: the app's local-testing flag allows that URL.
    process.env.LEADHOOKS_ALLOW_HTTP = 'true';
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2ezapier'),
      createTestKafka('e2ezapier'),
      WebhookReceiver.start(),
    ]);
    const env = stackEnv(db, kafka, {
      RETRY_DELAYS: '1s,1s,1s,1s,1s',
      RETRY_JITTER_PERCENT: '0',
      WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
    });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    receiver.respondWith((request) => {
      if (request.path.startsWith('/zap-gone')) return { status: 410 };
      // The first delivery to /zap-slow is taken, then answered after the dispatcher gave up waiting.
      if (request.path === '/zap-slow' && arrivals('/zap-slow').length === 1)
        return { status: 200, delayMs: WEBHOOK_TIMEOUT_MS + 1_500 };
      return { status: 200 };
    });
    site = await createSite(api, 'zapier-app.test', null);
    const key = await fetch(`${api.url}/v1/admin/sites/${site.id}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Zapier' }),
    });
    authData = { base_url: `${api.url}/`, api_key: ((await key.json()) as { key: string }).key };
  });

  afterAll(async () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    await Promise.all([api?.stop(), dispatcher?.stop()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const target = (path: string) => `${receiver.url.replace(/\/hooks\/.*$/, '')}${path}`;
  const arrivals = (path: string) => receiver.requests.filter((request) => request.path === path);
  /** What Zapier hands `perform`: the parsed body, and the raw request with its headers prefixed `Http-`. */
  const asZapierBundle = (request: ReceivedRequest, subscribeData: Hook) => ({
    authData,
    subscribeData,
    cleanedRequest: JSON.parse(request.body) as unknown,
    rawRequest: {
      method: 'POST',
      content: request.body,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          `Http-${name.replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => dash + c.toUpperCase())}`,
          value,
        ]),
      ),
    },
  });

  /**
   * The message Zapier shows for an error thrown by the app: z.errors.Error carries JSON; the app tester appends
   * "What happened: …" (with the bundle) to the others, cut here.
   */
  const shown = (error: unknown) => {
    const message = (error as Error).message;
    try {
      return (JSON.parse(message) as { message: string }).message;
    } catch {
      return message.split('\n')[0];
    }
  };
  const connectionTest = (auth: { base_url: string; api_key: string }) =>
    appTester<Record<string, string>>(App.authentication.test, { authData: auth }).then(
      (identity) => ({ identity, message: null }),
      (error: unknown) => ({ identity: null, message: shown(error) }),
    );

  it('connection test: a site key is labelled with its site; a wrong key, an admin key, http and a wrong path each read as a sentence', async () => {
    const ok = await connectionTest(authData);
    expect(ok.identity).toEqual({
      site_id: site.id,
      hostname: 'zapier-app.test',
      name: 'Site zapier-app.test',
      key_name: 'Zapier',
    });
    const label = await appTester<string>(App.authentication.connectionLabel, { inputData: ok.identity });
    expect(label).toBe('Site zapier-app.test (zapier-app.test), key Zapier');
    log(`connection test ok → label "${label}"`);

    const wrongKey = await connectionTest({ ...authData, api_key: 'lh_site_0000000000_' + 'x'.repeat(32) });
    expect(wrongKey.message).toMatch(
      /refused this API key: it is wrong, revoked, or from another leadhooks server/,
    );
    const adminKey = await connectionTest({ ...authData, api_key: ADMIN_KEY });
    expect(adminKey.message).toMatch(/^This is an admin API key\. Zapier connects with a site API key/);
    const wrongPath = await connectionTest({ ...authData, base_url: `${api.url}/leadhooks` });
    expect(wrongPath.message).toMatch(
      /^No leadhooks API answers at http:\/\/127\.0\.0\.1:\d+\/leadhooks .*404/,
    );
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    const http = await connectionTest(authData).finally(() => (process.env.LEADHOOKS_ALLOW_HTTP = 'true'));
    expect(http.message).toMatch(/^The leadhooks URL must start with https:\/\/, not http:\/\//);
    for (const [name, result] of Object.entries({ wrongKey, adminKey, wrongPath, http }))
      log(`connection test (${name}) → "${result.message}"`);
  });

  it('new_lead: subscribe → a form lead reaches the target URL signed, within seconds → unsubscribe → nothing more', async () => {
    const hook = await appTester<Hook>(App.triggers.new_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-new'),
    });
    expect(hook).toMatchObject({
      id: expect.any(String),
      event: 'lead.created',
      secret: expect.stringMatching(/^whsec_/),
    });
    log(`subscribed new_lead → hook ${hook.id}`);

    const posted = Date.now();
    const first = await postLead(api, site.hostname, {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      company: 'AE',
    });
    await waitUntil('the lead at the target URL', () => arrivals('/zap-new').length === 1, {
      timeoutMs: 10_000,
    });
    const [delivered] = arrivals('/zap-new');
    log(`lead ${first.body.id} posted → POST /zap-new after ${delivered.receivedAt - posted} ms`);
    // Signed as Standard Webhooks with the secret Zapier keeps from the subscription.
    const verified = new Webhook(hook.secret).verify(
      delivered.body,
      delivered.headers as Record<string, string>,
    ) as Payload;
    expect(verified).toMatchObject({ event: 'lead.created', lead_id: first.body.id, company: 'AE' });
    log(`signature verified (webhook-id ${String(delivered.headers['webhook-id'])})`);

    // perform turns the request into the trigger's item; a tampered body is refused.
    const items = await appTester<Payload[]>(
      App.triggers.new_lead.operation.perform,
      asZapierBundle(delivered, hook),
    );
    const eventId = String(delivered.headers['webhook-id']);
    expect(items).toEqual([
      expect.objectContaining({
        id: eventId,
        event_id: eventId,
        lead_id: first.body.id,
        email: 'ada@example.com',
      }),
    ]);
    log(`perform → 1 item, id ${items[0].id} (the event id; lead ${items[0].lead_id})`);
    const tampered = { ...delivered, body: delivered.body.replace('ada@', 'eve@') };
    await expect(
      appTester(App.triggers.new_lead.operation.perform, asZapierBundle(tampered, hook)),
    ).rejects.toThrow(/valid leadhooks signature/);

    // The sample list is the same shape as what arrives; the static sample has only keys every item has.
    const listed = await appTester<Payload[]>(App.triggers.new_lead.operation.performList, { authData });
    expect(listed[0].id).toBe(eventId);
    expect(Object.keys(listed[0]).sort()).toEqual(Object.keys(items[0]).sort());
    expect(Object.keys(items[0])).toEqual(expect.arrayContaining(Object.keys(samples.NEW_LEAD_SAMPLE)));

    await appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: hook });
    log(`unsubscribed hook ${hook.id}`);
    // Turning the Zap off again (or after reconnecting with another site's key): the API's 404 is "done".
    await expect(
      appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: hook }),
    ).resolves.toEqual({});
    // A control subscription proves the next lead was delivered while the unsubscribed URL got nothing.
    const control = await appTester<Hook>(App.triggers.new_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-control'),
    });
    const second = await postLead(api, site.hostname, { email: 'second@example.com' });
    await waitUntil('the control subscription', () => arrivals('/zap-control').length === 1, {
      timeoutMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(arrivals('/zap-new')).toHaveLength(1);
    log(`lead ${second.body.id} posted after unsubscribe → /zap-new received nothing (control got it)`);
    await appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: control });
  });

  it('a delivery retried after a timeout the receiver had accepted reaches the trigger as one event id, and runs the Zap once', async () => {
    const hook = await appTester<Hook>(App.triggers.new_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-slow'),
    });
    const lead = await postLead(api, site.hostname, { email: 'slow@example.com' });
    await waitUntil('the retry after the timeout', () => arrivals('/zap-slow').length === 2, {
      timeoutMs: 20_000,
    });
    const [taken, retried] = arrivals('/zap-slow');
    expect(retried.headers['webhook-id']).toBe(taken.headers['webhook-id']);
    expect(JSON.parse(retried.body)).toMatchObject({ id: taken.headers['webhook-id'], attempt: 2 });
    log(
      `lead ${lead.body.id}: attempt 1 taken by the receiver and answered after the ${WEBHOOK_TIMEOUT_MS} ms timeout, ` +
        `attempt 2 ${retried.receivedAt - taken.receivedAt} ms later, same webhook-id ${String(taken.headers['webhook-id'])}`,
    );
    const first = await appTester<Payload[]>(
      App.triggers.new_lead.operation.perform,
      asZapierBundle(taken, hook),
    );
    const second = await appTester<Payload[]>(
      App.triggers.new_lead.operation.perform,
      asZapierBundle(retried, hook),
    );
    expect(first.map((item) => item.id)).toEqual([taken.headers['webhook-id']]);
    expect(second).toEqual([]);
    log(`perform(attempt 1) → [${first[0].id}]; perform(attempt 2) → [] (seen: the Zap runs once)`);
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const detail = (await (
      await fetch(`${api.url}/v1/leads/${lead.body.id}`, { headers: admin })
    ).json()) as {
      deliveries: Array<{
        endpoint_id: string;
        status: string;
        attempts: Array<{ http_status: number | null }>;
      }>;
    };
    const delivery = detail.deliveries.find((d) => d.endpoint_id === hook.id)!;
    expect(delivery).toMatchObject({ status: 'SENT' });
    expect(delivery.attempts.map((attempt) => attempt.http_status)).toEqual([null, 200]);
    await appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: hook });
  });

  it('perform refuses an unsigned request and a correctly signed but stale one (a captured request replayed)', async () => {
    const hook = await appTester<Hook>(App.triggers.new_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-replay'),
    });
    await postLead(api, site.hostname, { email: 'replay@example.com' });
    await waitUntil('the lead at /zap-replay', () => arrivals('/zap-replay').length === 1, {
      timeoutMs: 10_000,
    });
    const [delivered] = arrivals('/zap-replay');
    const unsigned = {
      ...delivered,
      headers: Object.fromEntries(
        Object.entries(delivered.headers).filter(([name]) => !name.startsWith('webhook-')),
      ),
    };
    const refusedUnsigned = await appTester(
      App.triggers.new_lead.operation.perform,
      asZapierBundle(unsigned, hook),
    ).catch(shown);
    expect(refusedUnsigned).toMatch(/carried no leadhooks signature/);
    const id = String(delivered.headers['webhook-id']);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const stale = {
      ...delivered,
      headers: {
        ...delivered.headers,
        'webhook-timestamp': String(Math.floor(tenMinutesAgo.getTime() / 1000)),
        'webhook-signature': new Webhook(hook.secret).sign(id, tenMinutesAgo, delivered.body),
      },
    };
    const refusedStale = await appTester(
      App.triggers.new_lead.operation.perform,
      asZapierBundle(stale, hook),
    ).catch(shown);
    expect(refusedStale).toMatch(/signed more than five minutes ago/);
    log(`unsigned request → "${String(refusedUnsigned)}"; stale request → "${String(refusedStale)}"`);
    // The genuine request still triggers once.
    await expect(
      appTester<Payload[]>(App.triggers.new_lead.operation.perform, asZapierBundle(delivered, hook)),
    ).resolves.toEqual([expect.objectContaining({ id })]);
    await appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: hook });
  });

  it('create_lead and update_lead round-trip; the update reaches an updated_lead subscription; find_lead finds it', async () => {
    const hook = await appTester<Hook>(App.triggers.updated_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-updated'),
    });
    const inputData = {
      name: 'Grace Hopper',
      email: 'Grace@Example.com',
      phone: '+1 (555) 010-0199',
      extra: { plan: 'pro' },
    };
    // The step's templates name this Zap's own steps: what scopes the Idempotency-Key to the Zap and step.
    const bundle = {
      authData,
      inputData,
      inputDataRaw: { name: '{{111__name}}', email: '{{111__email}}', phone: '{{111__phone}}', extra: '' },
    };
    const created = await appTester<Lead>(App.creates.create_lead.operation.perform, bundle);
    expect(created).toMatchObject({ email: 'Grace@Example.com', lead_source: 'zapier', version: 1 });
    expect(Object.keys(created).filter((key) => key.startsWith('zapier_'))).toEqual([]);
    expect(Object.keys(created)).toEqual(expect.arrayContaining(Object.keys(samples.LEAD_RECORD_SAMPLE)));
    // Zapier replaying the step: the same lead, not a second one.
    const replayed = await appTester<Lead>(App.creates.create_lead.operation.perform, bundle);
    expect(replayed.id).toBe(created.id);

    // Update Lead's Lead ID dropdown offers the new lead by name and email.
    const choices = await appTester<Array<{ id: string; label: string }>>(
      App.triggers.recent_leads.operation.perform,
      { authData },
    );
    expect(choices).toEqual(
      expect.arrayContaining([
        { id: created.id, label: 'Grace Hopper <Grace@Example.com>', submitted_at: expect.any(String) },
      ]),
    );

    const updated = await appTester<Lead>(App.creates.update_lead.operation.perform, {
      authData,
      inputData: { id: created.id, name: 'Rear Admiral Grace Hopper', email: '' },
    });
    expect(updated).toMatchObject({ id: created.id, name: 'Rear Admiral Grace Hopper', version: 2 });

    await waitUntil('the lead.updated at the target URL', () => arrivals('/zap-updated').length === 1, {
      timeoutMs: 10_000,
    });
    const [delivered] = arrivals('/zap-updated');
    const items = await appTester<Payload[]>(
      App.triggers.updated_lead.operation.perform,
      asZapierBundle(delivered, hook),
    );
    expect(items).toEqual([
      expect.objectContaining({
        id: String(delivered.headers['webhook-id']),
        lead_id: created.id,
        event: 'lead.updated',
        lead_version: 2,
        changed_fields: 'name',
        previous_name: 'Grace Hopper',
        plan: 'pro',
      }),
    ]);
    expect(Object.keys(items[0])).toEqual(expect.arrayContaining(Object.keys(samples.UPDATED_LEAD_SAMPLE)));
    const listed = await appTester<Payload[]>(App.triggers.updated_lead.operation.performList, { authData });
    expect(listed[0]).toMatchObject({ id: items[0].id, changed_fields: 'name' });

    const byEmail = await appTester<Lead[]>(App.searches.find_lead.operation.perform, {
      authData,
      inputData: { email: 'grace@example.COM' },
    });
    expect(byEmail.map((lead) => lead.id)).toEqual([created.id]);
    const byPhone = await appTester<Lead[]>(App.searches.find_lead.operation.perform, {
      authData,
      inputData: { phone: '15550100199' },
    });
    expect(byPhone.map((lead) => lead.id)).toEqual([created.id]);
    await expect(
      appTester(App.searches.find_lead.operation.perform, {
        authData,
        inputData: { email: 'nobody@example.com' },
      }),
    ).resolves.toEqual([]);

    // The same input in another Zap's step is that Zap's own lead.
    const otherZap = await appTester<Lead>(App.creates.create_lead.operation.perform, {
      ...bundle,
      inputDataRaw: { ...bundle.inputDataRaw, email: '{{222__email}}' },
    });
    expect(otherZap.id).not.toBe(created.id);

    // Validation errors in the words of the Zap editor.
    await expect(
      appTester(App.creates.create_lead.operation.perform, {
        authData,
        inputData: { email: 'not an email' },
      }),
    ).rejects.toThrow(/Email: /);
    await expect(
      appTester(App.creates.update_lead.operation.perform, {
        authData,
        inputData: { id: created.id, page_url: 'javascript:alert(1)' },
      }),
    ).rejects.toThrow(/Page URL: /);
    await appTester(App.triggers.updated_lead.operation.performUnsubscribe, {
      authData,
      subscribeData: hook,
    });
  });

  it('a 410 from the target URL removes the subscription (a deleted Zap), recorded; unsubscribing it later is fine', async () => {
    const hook = await appTester<Hook>(App.triggers.new_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-gone'),
    });
    const lead = await postLead(api, site.hostname, { email: 'gone@example.com' });
    await waitUntil('the lead at the gone URL', () => arrivals('/zap-gone').length >= 1, {
      timeoutMs: 10_000,
    });
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    await waitUntil(
      'the subscription removed',
      async () =>
        (await fetch(`${api.url}/v1/admin/endpoints/${hook.id}`, { headers: admin })).status === 404,
      { timeoutMs: 10_000 },
    );
    const detail = (await (
      await fetch(`${api.url}/v1/leads/${lead.body.id}`, { headers: admin })
    ).json()) as {
      deliveries: Array<{
        endpoint_id: string;
        status: string;
        attempts: Array<{ http_status: number | null }>;
      }>;
    };
    const delivery = detail.deliveries.find((d) => d.endpoint_id === hook.id)!;
    expect(delivery.attempts.map((attempt) => attempt.http_status)).toEqual([410]);
    expect(delivery.status).not.toBe('PENDING');
    log(`target answered 410 → hook ${hook.id} removed, delivery ${delivery.status}`);
    // One request only: nothing retried to a deleted Zap; the next lead sends nothing there.
    await postLead(api, site.hostname, { email: 'after-gone@example.com' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(arrivals('/zap-gone')).toHaveLength(1);
    await expect(
      appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: hook }),
    ).resolves.toEqual({});
  });

  it('deleted_lead: subscribe → erasing a lead sends its lead.deleted (ids only, signed) → one item per event id → unsubscribe', async () => {
    const hook = await appTester<Hook>(App.triggers.deleted_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-deleted'),
    });
    expect(hook).toMatchObject({ id: expect.any(String), event: 'lead.deleted' });
    const lead = await postLead(api, site.hostname, { name: 'Dora Delete', email: 'dora@example.com' });
    const erased = await fetch(`${api.url}/v1/leads/${lead.body.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${authData.api_key}` },
    });
    expect(erased.status).toBe(200);
    const { event_id: eventId } = (await erased.json()) as { event_id: string };
    await waitUntil('the lead.deleted at the target URL', () => arrivals('/zap-deleted').length === 1, {
      timeoutMs: 15_000,
    });
    const [delivered] = arrivals('/zap-deleted');
    expect(delivered.body).not.toContain('dora');
    const verified = new Webhook(hook.secret).verify(
      delivered.body,
      delivered.headers as Record<string, string>,
    ) as Payload;
    expect(verified).toMatchObject({
      event: 'lead.deleted',
      id: eventId,
      lead_id: lead.body.id,
      reason: 'request',
    });
    log(`lead ${lead.body.id} erased → lead.deleted ${eventId} at /zap-deleted, signature verified`);

    const items = await appTester<Payload[]>(
      App.triggers.deleted_lead.operation.perform,
      asZapierBundle(delivered, hook),
    );
    expect(items).toEqual([expect.objectContaining({ id: eventId, lead_id: lead.body.id })]);
    // The same event again (a retry Zapier had already taken): no second item.
    await expect(
      appTester(App.triggers.deleted_lead.operation.perform, asZapierBundle(delivered, hook)),
    ).resolves.toEqual([]);

    // The sample list has the shape of what arrives, and the static sample only keys every item has.
    const listed = await appTester<Payload[]>(App.triggers.deleted_lead.operation.performList, { authData });
    expect(listed[0]).toMatchObject({ id: eventId, lead_id: lead.body.id, event: 'lead.deleted' });
    expect(Object.keys(listed[0]).sort()).toEqual(Object.keys(items[0]).sort());
    expect(Object.keys(items[0]).sort()).toEqual(Object.keys(samples.DELETED_LEAD_SAMPLE).sort());

    await appTester(App.triggers.deleted_lead.operation.performUnsubscribe, {
      authData,
      subscribeData: hook,
    });
    const next = await postLead(api, site.hostname, { email: 'next.gone@example.com' });
    await fetch(`${api.url}/v1/leads/${next.body.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${authData.api_key}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(arrivals('/zap-deleted')).toHaveLength(1);
    log(`unsubscribed → erasing lead ${next.body.id} sent nothing to /zap-deleted`);
  });
});
