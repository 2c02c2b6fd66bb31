import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildZapierPayload } from '@leadhooks/contracts';
import { OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  openStoredEvent,
  seedSite,
  type TestDatabase,
  type TestKafka,
  WebhookReceiver,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

const ADMIN = 'lh_bootstrap_sitekeys_key_0123456789';

interface Lead {
  id: string;
  site_id: string;
  email: string | null;
  phone: string | null;
  lead_source: string | null;
  name: string | null;
  version: number;
}

/**
 * Site API keys and what they reach (SPEC §12): the inbound actions, the sample list and REST hooks of their own
 * site, never admin routes or another site's data.
 */
describe('site API keys, inbound actions and REST hooks (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('sitekeys'),
      createTestKafka('sitekeys'),
      WebhookReceiver.start(),
    ]);
    ({ app } = await createTestLeadsApi(db, kafka, { ADMIN_API_KEY: ADMIN, OUTBOX_RELAY_ENABLED: 'false' }));
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const call = (
    key: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) => app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}`, ...headers } });

  async function siteWithKey() {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const made = await call(ADMIN, 'POST', `/v1/admin/sites/${site.id}/api-keys`, { name: 'Zapier' });
    expect(made.statusCode).toBe(201);
    return { site, key: made.json<{ id: string; key: string }>() };
  }

  const postForm = (hostname: string, lead: object) =>
    app.inject({ method: 'POST', url: `/v1/sites/${hostname}/leads`, payload: lead });

  it('makes keys shown once, lists them without the key, and a revoked key stops at once', async () => {
    const { site, key } = await siteWithKey();
    expect(key.key).toMatch(/^lh_site_[a-z0-9]{10}_[A-Za-z0-9_-]{32,}$/);
    const listed = await call(ADMIN, 'GET', `/v1/admin/sites/${site.id}/api-keys`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      expect.objectContaining({ id: key.id, site_id: site.id, name: 'Zapier', revoked_at: null }),
    ]);
    expect(listed.body).not.toContain(key.key.slice(20));
    expect((await call(key.key, 'GET', '/v1/leads?limit=3')).statusCode).toBe(200);

    expect((await call(ADMIN, 'DELETE', `/v1/admin/sites/${site.id}/api-keys/${key.id}`)).statusCode).toBe(
      204,
    );
    expect((await call(ADMIN, 'DELETE', `/v1/admin/sites/${site.id}/api-keys/${key.id}`)).statusCode).toBe(
      404,
    );
    const refused = await call(key.key, 'GET', '/v1/leads?limit=3');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toBe('Invalid or revoked API key');
    // A key that looks like a site key but is not one; another site's id in the path of the key routes.
    expect((await call(key.key.slice(0, -1) + 'x', 'GET', '/v1/leads')).statusCode).toBe(401);
    expect(
      (await call(ADMIN, 'POST', `/v1/admin/sites/${crypto.randomUUID()}/api-keys`, {})).statusCode,
    ).toBe(404);
  });

  it('GET /v1/me names the site and key a site key acts for; an admin key is a 403, a revoked key a 401', async () => {
    const { site, key } = await siteWithKey();
    const me = await call(key.key, 'GET', '/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      site_id: site.id,
      hostname: site.hostname,
      name: site.name,
      key_id: key.id,
      key_name: 'Zapier',
    });
    const admin = await call(ADMIN, 'GET', '/v1/me');
    expect(admin.statusCode).toBe(403);
    expect(admin.json().message).toMatch(/admin API key/);
    await call(ADMIN, 'DELETE', `/v1/admin/sites/${site.id}/api-keys/${key.id}`);
    expect((await call(key.key, 'GET', '/v1/me')).statusCode).toBe(401);
  });

  it('never lets a site key reach admin routes or another site', async () => {
    const a = await siteWithKey();
    const b = await siteWithKey();
    const leadOfB = (await postForm(b.site.hostname, { email: 'b@example.com' })).json<{ id: string }>();
    for (const [method, url] of [
      ['GET', '/v1/admin/sites'],
      ['GET', `/v1/admin/sites/${a.site.id}`],
      ['POST', `/v1/admin/sites/${a.site.id}/api-keys`],
      ['GET', `/v1/admin/sites/${a.site.id}/endpoints`],
      ['GET', '/v1/admin/deliveries'],
      ['GET', '/v1/admin/replays'],
      ['POST', `/v1/leads/${leadOfB.id}/redeliver`],
    ] as const) {
      const answer = await call(a.key.key, method, url, method === 'POST' ? {} : undefined);
      expect({ method, url, status: answer.statusCode }).toEqual({ method, url, status: 403 });
    }
    // Another site's lead does not exist for this key: read, change, search, samples.
    expect((await call(a.key.key, 'GET', `/v1/leads/${leadOfB.id}`)).statusCode).toBe(404);
    expect((await call(a.key.key, 'PATCH', `/v1/leads/${leadOfB.id}`, { name: 'Mallory' })).statusCode).toBe(
      404,
    );
    expect((await call(ADMIN, 'GET', `/v1/leads/${leadOfB.id}`)).json<Lead>().name).toBeNull();
    expect((await call(a.key.key, 'GET', '/v1/leads/search?email=b@example.com')).json()).toEqual([]);
    const samples = await call(a.key.key, 'GET', `/v1/leads?limit=3&site_id=${b.site.id}`);
    expect(samples.json()).toEqual([]);
    // Another site's hook cannot be removed with this key.
    const hook = await call(b.key.key, 'POST', '/v1/hooks', {
      target_url: receiver.url,
      event: 'lead.created',
    });
    expect((await call(a.key.key, 'DELETE', `/v1/hooks/${hook.json<{ id: string }>().id}`)).statusCode).toBe(
      404,
    );
    expect(
      (await call(ADMIN, 'GET', `/v1/admin/endpoints/${hook.json<{ id: string }>().id}`)).statusCode,
    ).toBe(200);
  });

  it("lists the newest leads in the exact flat shape of the webhook payload (Zapier's samples)", async () => {
    const { site, key } = await siteWithKey();
    for (const email of ['one@example.com', 'two@example.com', 'three@example.com', 'four@example.com'])
      await postForm(site.hostname, { email, 'Favourite colour': 'teal', interests: ['a', 'b'] });
    const answer = await call(key.key, 'GET', '/v1/leads?limit=3');
    expect(answer.statusCode).toBe(200);
    const samples = answer.json<Array<Record<string, unknown>>>();
    expect(samples.map((sample) => sample.email)).toEqual([
      'four@example.com',
      'three@example.com',
      'two@example.com',
    ]);
    // Exactly what the dispatcher would send: the payload built from the stored event.
    const events = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .find({ where: { eventType: 'lead.created' } });
    const stored = events.find((row) => row.aggregateId === samples[0].lead_id)!;
    expect(samples[0]).toEqual(
      buildZapierPayload(
        (await openStoredEvent(db.dataSource, stored.payload)) as never,
        { id: site.id, hostname: site.hostname, name: site.name },
        1,
      ),
    );
    expect(samples[0]).toMatchObject({ 'Favourite colour': 'teal', interests: 'a,b', site_id: site.id });
    expect((await call(key.key, 'GET', '/v1/leads')).json()).toHaveLength(3);
    expect((await call(key.key, 'GET', '/v1/leads?limit=0')).statusCode).toBe(400);

    // lead.updated samples carry the version and what changed.
    await call(key.key, 'PATCH', `/v1/leads/${samples[0].lead_id as string}`, { name: 'Four' });
    const updated = (await call(key.key, 'GET', '/v1/leads?limit=3&event=lead.updated')).json<
      Array<Record<string, unknown>>
    >();
    expect(updated).toEqual([
      expect.objectContaining({
        event: 'lead.updated',
        lead_id: samples[0].lead_id,
        name: 'Four',
        lead_version: 2,
        changed_fields: 'name',
        previous_name: null,
      }),
    ]);
  });

  it('creates leads (lead_source zapier, Idempotency-Key honoured), changes and finds them', async () => {
    const { site, key } = await siteWithKey();
    const body = { name: 'Ada Lovelace', email: 'Ada@Example.com', phone: '+44 (20) 7946-0000', plan: 'pro' };
    const first = await call(key.key, 'POST', '/v1/leads', body, { 'idempotency-key': 'zap-run-1' });
    expect(first.statusCode).toBe(201);
    const lead = first.json<Lead & { extra: Record<string, unknown> }>();
    expect(lead).toMatchObject({ site_id: site.id, lead_source: 'zapier', email: 'Ada@Example.com' });
    expect(lead.extra).toEqual({ plan: 'pro' });
    // Zapier retrying the action: the same lead, no second one, no second event.
    const retried = await call(key.key, 'POST', '/v1/leads', body, { 'idempotency-key': 'zap-run-1' });
    expect(retried.statusCode).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.json<Lead>().id).toBe(lead.id);
    const events = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .count({ where: { aggregateId: lead.id, eventType: 'lead.created' } });
    expect(events).toBe(1);
    const own = await call(key.key, 'POST', '/v1/leads', { email: 'x@example.com', lead_source: 'hubspot' });
    expect(own.json<Lead>().lead_source).toBe('hubspot');

    // Every 400 names the field.
    const invalid = await call(key.key, 'POST', '/v1/leads', { name: 'No contact' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors[0].field).toMatch(/email|phone/);
    const badEmail = await call(key.key, 'POST', '/v1/leads', { email: 'not an email' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().errors).toEqual([expect.objectContaining({ field: 'email' })]);
    expect((await call(ADMIN, 'POST', '/v1/leads', { email: 'a@example.com' })).json().errors[0].field).toBe(
      'site_id',
    );
    expect(
      (await call(ADMIN, 'POST', `/v1/leads?site_id=${site.id}`, { email: 'a@example.com' })).statusCode,
    ).toBe(201);

    const changed = await call(key.key, 'PATCH', `/v1/leads/${lead.id}`, { message: 'Call after 5' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Lead>().version).toBe(2);

    const byEmail = await call(key.key, 'GET', '/v1/leads/search?email=ada@EXAMPLE.com');
    expect(byEmail.json<Lead[]>().map((found) => found.id)).toEqual([lead.id]);
    const byPhone = await call(
      key.key,
      'GET',
      `/v1/leads/search?phone=${encodeURIComponent('+44 20 7946 0000')}`,
    );
    expect(byPhone.json<Lead[]>().map((found) => found.id)).toEqual([lead.id]);
    expect((await call(key.key, 'GET', '/v1/leads/search?email=nobody@example.com')).json()).toEqual([]);
    const noTerm = await call(key.key, 'GET', '/v1/leads/search');
    expect(noTerm.statusCode).toBe(400);
    expect(noTerm.json().errors[0].field).toBe('email');
  });

  it('subscribes and unsubscribes REST hooks: endpoints of kind zapier_rest_hook, idempotent removal', async () => {
    const { site, key } = await siteWithKey();
    const made = await call(key.key, 'POST', '/v1/hooks', {
      target_url: receiver.url,
      event: 'lead.updated',
    });
    expect(made.statusCode).toBe(201);
    const hook = made.json<{ id: string; event: string; secret: string }>();
    expect(hook).toMatchObject({ event: 'lead.updated', target_url: receiver.url });
    expect(hook.secret).toMatch(/^whsec_/);
    const endpoints = (await call(ADMIN, 'GET', `/v1/admin/sites/${site.id}/endpoints`)).json<
      Array<{ id: string; kind: string; events: string[]; format: string; auth: string }>
    >();
    expect(endpoints.find((endpoint) => endpoint.id === hook.id)).toMatchObject({
      kind: 'zapier_rest_hook',
      events: ['lead.updated'],
      format: 'flat',
      auth: 'standard_webhooks',
    });
    expect(
      (await call(key.key, 'POST', '/v1/hooks', { target_url: 'not a url' })).json().errors[0].field,
    ).toBe('target_url');
    expect(
      (await call(key.key, 'POST', '/v1/hooks', { target_url: receiver.url, event: 'x' })).statusCode,
    ).toBe(400);
    expect((await call(ADMIN, 'POST', '/v1/hooks', { target_url: receiver.url })).statusCode).toBe(403);

    expect((await call(key.key, 'DELETE', `/v1/hooks/${hook.id}`)).statusCode).toBe(204);
    expect((await call(key.key, 'DELETE', `/v1/hooks/${hook.id}`)).statusCode).toBe(204);
    expect((await call(ADMIN, 'GET', `/v1/admin/endpoints/${hook.id}`)).statusCode).toBe(404);
    // The site's own zapier endpoint is not a REST hook: a site key cannot delete it here.
    const zapier = endpoints.find((endpoint) => endpoint.kind === 'manual')!;
    expect((await call(key.key, 'DELETE', `/v1/hooks/${zapier.id}`)).statusCode).toBe(404);
  });
});
