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
  authentication: { test: unknown };
  triggers: Record<'new_lead' | 'updated_lead', Operation>;
  creates: Record<'create_lead' | 'update_lead', Operation>;
  searches: Record<'find_lead', Operation>;
};

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
  const log = (line: string) => process.stdout.write(`[zapier-app e2e] ${line}\n`);

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('e2ezapier'),
      createTestKafka('e2ezapier'),
      WebhookReceiver.start(),
    ]);
    const env = stackEnv(db, kafka, { RETRY_DELAYS: '1s,1s,1s,1s,1s', RETRY_JITTER_PERCENT: '0' });
    [api, dispatcher] = await Promise.all([
      AppProcess.start('leads-api', env),
      AppProcess.start('zapier-dispatcher', env),
    ]);
    receiver.respondWith((request) =>
      request.path.startsWith('/zap-gone') ? { status: 410 } : { status: 200 },
    );
    site = await createSite(api, 'zapier-app.test', null);
    const key = await fetch(`${api.url}/v1/admin/sites/${site.id}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Zapier' }),
    });
    authData = { base_url: `${api.url}/`, api_key: ((await key.json()) as { key: string }).key };
  });

  afterAll(async () => {
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

  it('authenticates with a site key and refuses a wrong one in plain words', async () => {
    await expect(appTester(App.authentication.test, { authData })).resolves.toBeDefined();
    await expect(
      appTester(App.authentication.test, {
        authData: { ...authData, api_key: 'lh_site_0000000000_' + 'x'.repeat(32) },
      }),
    ).rejects.toThrow(/refused the API key/);
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
    expect(items).toEqual([
      expect.objectContaining({ id: first.body.id, lead_id: first.body.id, email: 'ada@example.com' }),
    ]);
    const tampered = { ...delivered, body: delivered.body.replace('ada@', 'eve@') };
    await expect(
      appTester(App.triggers.new_lead.operation.perform, asZapierBundle(tampered, hook)),
    ).rejects.toThrow(/valid leadhooks signature/);

    // The sample list is the same shape as what arrives.
    const samples = await appTester<Payload[]>(App.triggers.new_lead.operation.performList, { authData });
    expect(samples[0].id).toBe(first.body.id);
    expect(Object.keys(samples[0]).sort()).toEqual(Object.keys(items[0]).sort());

    await appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData: hook });
    log(`unsubscribed hook ${hook.id}`);
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

  it('create_lead and update_lead round-trip; the update reaches an updated_lead subscription; find_lead finds it', async () => {
    const hook = await appTester<Hook>(App.triggers.updated_lead.operation.performSubscribe, {
      authData,
      targetUrl: target('/zap-updated'),
    });
    const bundle = {
      authData,
      meta: { zap: { id: 'zap-1' } },
      inputData: {
        name: 'Grace Hopper',
        email: 'Grace@Example.com',
        phone: '+1 (555) 010-0199',
        extra: { plan: 'pro' },
      },
    };
    const created = await appTester<Lead>(App.creates.create_lead.operation.perform, bundle);
    expect(created).toMatchObject({ email: 'Grace@Example.com', lead_source: 'zapier', version: 1 });
    // Zapier replaying the step: the same lead, not a second one.
    const replayed = await appTester<Lead>(App.creates.create_lead.operation.perform, bundle);
    expect(replayed.id).toBe(created.id);

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
        id: `${created.id}-v2`,
        event: 'lead.updated',
        lead_version: 2,
        changed_fields: 'name',
        previous_name: 'Grace Hopper',
        plan: 'pro',
      }),
    ]);
    const samples = await appTester<Payload[]>(App.triggers.updated_lead.operation.performList, { authData });
    expect(samples[0]).toMatchObject({ id: `${created.id}-v2`, changed_fields: 'name' });

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
});
