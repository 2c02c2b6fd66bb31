import { createHmac } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  openStoredEvent,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  WebhookReceiver,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

const KEY = 'lh_bootstrap_endpoints_key_0123456789';

interface EndpointBody {
  id: string;
  site_id: string;
  name: string;
  kind: string;
  url: string | null;
  enabled: boolean;
  events: string[];
  auth: string;
  format: string;
  headers: Record<string, string>;
  timeout_ms: number | null;
  rate_limit_per_second: number | null;
  secret?: string;
}

describe('leads-api endpoints admin API and lead PATCH (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('endpointsadmin'),
      createTestKafka('endpointsadmin'),
      WebhookReceiver.start(),
    ]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: KEY,
      OUTBOX_RELAY_ENABLED: 'false',
      SECRET_ROTATION_GRACE: '1h',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${KEY}` } });
  const masked = () => receiver.url.replace(/\/hooks\/.*$/, '/***');

  it('creates, lists, reads, changes and removes endpoints; URL and secret in full only on creation, header values never', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const created = await call('POST', `/v1/admin/sites/${site.id}/endpoints`, {
      name: 'make',
      url: receiver.url,
      events: ['lead.created', 'lead.updated'],
      auth: 'secret_header',
      headers: { 'X-Api-Key': 'secret-api-key' },
      timeout_ms: 5000,
      rate_limit_per_second: 10,
    });
    expect(created.statusCode).toBe(201);
    const endpoint = created.json<EndpointBody>();
    expect(endpoint).toMatchObject({
      site_id: site.id,
      name: 'make',
      kind: 'manual',
      url: receiver.url,
      enabled: true,
      events: ['lead.created', 'lead.updated'],
      auth: 'secret_header',
      format: 'flat',
      headers: { 'X-Api-Key': '***' },
      timeout_ms: 5000,
      rate_limit_per_second: 10,
      secret: expect.stringMatching(/^whsec_/),
    });
    const listed = (await call('GET', `/v1/admin/sites/${site.id}/endpoints`)).json<EndpointBody[]>();
    expect(listed.map((e) => e.name)).toEqual(['zapier', 'make']);
    expect(listed[1]).toMatchObject({ url: masked(), headers: { 'X-Api-Key': '***' } });
    expect(listed[1].secret).toBeUndefined();
    expect((await call('GET', `/v1/admin/endpoints/${endpoint.id}`)).json()).toMatchObject({
      name: 'make',
      url: masked(),
    });

    // The masks mean "unchanged"; anything else replaces.
    const patched = await call('PATCH', `/v1/admin/endpoints/${endpoint.id}`, {
      url: masked(),
      headers: { 'X-Api-Key': '***', 'X-Tenant': 'acme' },
      format: 'envelope',
      timeout_ms: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      format: 'envelope',
      timeout_ms: null,
      headers: { 'X-Api-Key': '***', 'X-Tenant': '***' },
    });
    const test = await call('POST', `/v1/admin/endpoints/${endpoint.id}/test`, { event: 'lead.updated' });
    expect(test.statusCode).toBe(200);
    expect(test.json()).toMatchObject({
      ok: true,
      status: 200,
      event: 'lead.updated',
      delivery_id: expect.any(String),
    });
    const sent = receiver.requests.at(-1)!;
    expect(sent.headers).toMatchObject({
      'x-api-key': 'secret-api-key',
      'x-tenant': 'acme',
      'x-webhook-secret': endpoint.secret,
      'x-webhook-event': 'lead.updated',
      'x-webhook-delivery-id': test.json<{ delivery_id: string }>().delivery_id,
    });
    expect(JSON.parse(sent.body)).toMatchObject({
      event: 'lead.updated',
      data: { version: 2, changes: { phone: { from: null } } },
    });

    const stored: Array<{ url: string; headers: string }> = await db.dataSource.query(
      `SELECT url, headers FROM endpoint WHERE id = $1`,
      [endpoint.id],
    );
    expect(stored[0].url).toMatch(/^enc:v2:/);
    expect(stored[0].headers).toMatch(/^enc:v2:/);

    expect((await call('DELETE', `/v1/admin/endpoints/${endpoint.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/admin/endpoints/${endpoint.id}`)).statusCode).toBe(404);
    expect(
      (await call('GET', `/v1/admin/sites/${site.id}/endpoints`)).json<EndpointBody[]>().map((e) => e.name),
    ).toEqual(['zapier']);
    // The name is free again once its endpoint is gone.
    expect(
      (await call('POST', `/v1/admin/sites/${site.id}/endpoints`, { name: 'make', url: receiver.url }))
        .statusCode,
    ).toBe(201);
  });

  it('keeps the zapier endpoint the site zapier object: same settings both ways, never renamed or deleted', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const zapier = (await call('GET', `/v1/admin/sites/${site.id}/endpoints`)).json<EndpointBody[]>()[0];
    expect(zapier).toMatchObject({
      name: 'zapier',
      enabled: true,
      events: ['lead.created'],
      auth: 'standard_webhooks',
    });
    await call('PATCH', `/v1/admin/sites/${site.id}`, { zapier: { enabled: false } });
    expect((await call('GET', `/v1/admin/endpoints/${zapier.id}`)).json()).toMatchObject({ enabled: false });
    await call('PATCH', `/v1/admin/endpoints/${zapier.id}`, { enabled: true });
    expect((await call('GET', `/v1/admin/sites/${site.id}`)).json()).toMatchObject({
      zapier: { enabled: true },
    });
    expect((await call('PATCH', `/v1/admin/endpoints/${zapier.id}`, { name: 'other' })).statusCode).toBe(409);
    expect((await call('DELETE', `/v1/admin/endpoints/${zapier.id}`)).statusCode).toBe(409);
    expect(
      (await call('POST', `/v1/admin/sites/${site.id}/endpoints`, { name: 'zapier', url: receiver.url }))
        .statusCode,
    ).toBe(409);
    // Its rotation through either path keeps the previous secret verifying during the grace.
    const rotated = await call('POST', `/v1/admin/endpoints/${zapier.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(201);
    const secret = rotated.json<EndpointBody>().secret!;
    const test = await call('POST', `/v1/sites/${site.id}/zapier/test`);
    expect(test.json()).toMatchObject({ ok: true });
    const request = receiver.requests.at(-1)!;
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    new Webhook(site.zapier.secret!).verify(request.body, request.headers as Record<string, string>);
  });

  it('signs each auth mode as documented: standard_webhooks, secret_header, hmac_sha256_hex', async () => {
    const site = await seedSite(db.dataSource, {});
    const make = async (auth: string) =>
      (
        await call('POST', `/v1/admin/sites/${site.id}/endpoints`, { name: auth, url: receiver.url, auth })
      ).json<EndpointBody>();
    const sendTest = async (endpoint: EndpointBody) => {
      expect((await call('POST', `/v1/admin/endpoints/${endpoint.id}/test`, {})).json()).toMatchObject({
        ok: true,
      });
      return receiver.requests.at(-1)!;
    };
    const standard = await make('standard_webhooks');
    const signed = await sendTest(standard);
    expect(
      new Webhook(standard.secret!).verify(signed.body, signed.headers as Record<string, string>),
    ).toMatchObject({
      event: 'lead.created',
    });
    const header = await make('secret_header');
    const withSecret = await sendTest(header);
    expect(withSecret.headers['x-webhook-secret']).toBe(header.secret);
    expect(withSecret.headers['webhook-signature']).toBeUndefined();
    const hmac = await make('hmac_sha256_hex');
    const withHmac = await sendTest(hmac);
    expect(withHmac.headers['x-webhook-signature']).toBe(
      `sha256=${createHmac('sha256', hmac.secret!).update(withHmac.body).digest('hex')}`,
    );
    expect(withHmac.headers['x-webhook-secret']).toBeUndefined();
  });

  it('refuses bad endpoint settings with a 400 naming the field, and unknown ids with 404', async () => {
    const site = await seedSite(db.dataSource, {});
    const create = (body: object) =>
      call('POST', `/v1/admin/sites/${site.id}/endpoints`, { name: 'x', url: receiver.url, ...body });
    const field = async (body: object) => {
      const response = await create(body);
      expect(response.statusCode).toBe(400);
      return response.json<{ errors: Array<{ field: string; message: string }> }>().errors;
    };
    expect(await field({ url: 'ftp://example.com/hook' })).toEqual([
      expect.objectContaining({ field: 'url' }),
    ]);
    expect(await field({ events: [] })).toEqual([expect.objectContaining({ field: 'events' })]);
    expect(await field({ events: ['lead.archived'] })).toEqual([
      expect.objectContaining({ field: 'events' }),
    ]);
    expect(await field({ auth: 'basic' })).toEqual([expect.objectContaining({ field: 'auth' })]);
    expect(await field({ format: 'xml' })).toEqual([expect.objectContaining({ field: 'format' })]);
    expect(await field({ timeout_ms: 500 })).toEqual([expect.objectContaining({ field: 'timeout_ms' })]);
    expect(await field({ timeout_ms: 31_000 })).toEqual([expect.objectContaining({ field: 'timeout_ms' })]);
    expect(await field({ rate_limit_per_second: 0 })).toEqual([
      expect.objectContaining({ field: 'rate_limit_per_second' }),
    ]);
    for (const name of [
      'Connection',
      'Transfer-Encoding',
      'Host',
      'webhook-signature',
      'X-Webhook-Secret',
      'bad header',
    ]) {
      const errors = await field({ headers: { [name]: 'v' } });
      expect(errors[0]).toMatchObject({ field: 'headers' });
      expect(errors[0].message).toContain(name);
    }
    expect(await field({ headers: { 'X-Ok': 'line\r\nInjected: yes' } })).toEqual([
      expect.objectContaining({ field: 'headers', message: expect.stringContaining('single line') }),
    ]);
    expect(
      await field({ headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) }),
    ).toEqual([expect.objectContaining({ field: 'headers' })]);
    expect(
      (
        await call('POST', `/v1/admin/sites/00000000-0000-7000-8000-000000000000/endpoints`, {
          name: 'x',
          url: receiver.url,
        })
      ).statusCode,
    ).toBe(404);
    expect((await call('GET', `/v1/admin/endpoints/00000000-0000-7000-8000-000000000000`)).statusCode).toBe(
      404,
    );
    expect((await call('GET', `/v1/admin/endpoints/not-a-uuid`)).statusCode).toBe(400);
    const endpoint = (await create({ name: 'stats' })).json<EndpointBody>();
    expect((await call('GET', `/v1/admin/endpoints/${endpoint.id}/stats?window=forever`)).statusCode).toBe(
      400,
    );
    expect((await call('GET', `/v1/admin/endpoints/${endpoint.id}/stats?window=90d`)).statusCode).toBe(400);
    expect((await call('GET', `/v1/admin/endpoints/${endpoint.id}/stats`)).json()).toMatchObject({
      window: '24h',
      sent: 0,
      failed: 0,
      success_rate: null,
      failing: false,
    });
  });

  it('changes a lead by PATCH, emitting lead.updated with changes and version in the same transaction; a no-op emits nothing', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const event = await seedLead(db.dataSource, site);
    const id = event.data.lead_id;
    const updates = () =>
      db.dataSource.getRepository(OutboxMessageEntity).findBy({ aggregateId: id, topic: 'lead.updated' });
    const patched = await call('PATCH', `/v1/leads/${id}`, {
      name: 'Ada King',
      extra: { budget: null, plan: 'pro' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'Ada King',
      version: 2,
      extra: { plan: 'pro' },
      updated_at: expect.any(String),
    });
    expect(patched.json<{ extra: Record<string, unknown> }>().extra.budget).toBeUndefined();
    const [message] = await updates();
    expect(message).toMatchObject({
      eventType: 'lead.updated',
      headers: { 'lh-attempt': '1', 'lh-cycle-step': '0' },
      payload: { type: 'lead.updated', version: 1, data: { lead_id: id } },
    });
    // The personal part is sealed under the lead's key (docs/privacy.md): opened as the dispatcher opens it.
    expect(JSON.stringify(message.payload)).not.toContain('Ada King');
    expect(await openStoredEvent(db.dataSource, message.payload)).toMatchObject({
      type: 'lead.updated',
      version: 1,
      data: {
        lead_id: id,
        version: 2,
        name: 'Ada King',
        changes: {
          name: { from: 'Ada Lovelace', to: 'Ada King' },
          'extra.budget': { from: 1000, to: null },
          'extra.plan': { from: null, to: 'pro' },
        },
      },
    });
    const same = await call('PATCH', `/v1/leads/${id}`, {
      name: 'Ada King',
      extra: { plan: 'pro', gone: null },
    });
    expect(same.json()).toMatchObject({ version: 2 });
    expect(await updates()).toHaveLength(1);

    const invalid = async (body: object, field: string) => {
      const response = await call('PATCH', `/v1/leads/${id}`, body);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toContain(
        field,
      );
    };
    await invalid({ email: 'not-an-email' }, 'email');
    await invalid({ email: null }, 'email');
    await invalid({ page_url: 'javascript:alert(1)' }, 'page_url');
    await invalid({ name: 'a\u0000b' }, 'name');
    await invalid({ extra: { nested: { a: 1 } } }, 'extra.nested');
    await invalid({ extra: { long: 'x'.repeat(2001) } }, 'extra.long');
    expect(await updates()).toHaveLength(1);
    expect(
      (await call('PATCH', `/v1/leads/00000000-0000-7000-8000-000000000000`, { name: 'x' })).statusCode,
    ).toBe(404);
  });
});
