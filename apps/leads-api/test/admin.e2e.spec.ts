import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { ApiKeyRepository, LeadRepository, OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
  testLeadKeys,
  WebhookReceiver,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

const BOOTSTRAP_KEY = 'lh_bootstrap_test_key_0123456789';

describe('leads-api admin API (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('admin'),
      createTestKafka('admin'),
      WebhookReceiver.start(),
    ]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: BOOTSTRAP_KEY,
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

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    key: string | null = BOOTSTRAP_KEY,
  ) => app.inject({ method, url, payload, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('refuses missing, wrong and revoked keys with 401, and accepts keys made by the CLI repository', async () => {
    expect((await call('GET', '/v1/admin/sites', undefined, null)).statusCode).toBe(401);
    expect((await call('GET', '/v1/admin/sites', undefined, 'lh_wrong_key')).statusCode).toBe(401);
    const keys = new ApiKeyRepository(db.dataSource);
    const { key, info } = await keys.create('ci');
    expect((await call('GET', '/v1/admin/sites', undefined, key)).statusCode).toBe(200);
    const stored: Array<{ secret_hash: Buffer }> = await db.dataSource.query(
      'SELECT secret_hash FROM api_key WHERE id = $1',
      [info.id],
    );
    expect(stored[0].secret_hash.toString('utf8')).not.toContain(key.slice(14));
    await keys.revoke(info.id);
    expect((await call('GET', '/v1/admin/sites', undefined, key)).statusCode).toBe(401);
    const rotated = await keys.rotate((await keys.create('rotating')).info.id);
    expect((await call('GET', '/v1/admin/sites', undefined, rotated!.key)).statusCode).toBe(200);
  });

  it('creates, reads, updates and deletes sites; the secret is shown on creation only', async () => {
    const created = await call('POST', '/v1/admin/sites', {
      hostname: 'crud.test',
      name: 'Crud',
      zapier: { webhook_url: receiver.url, enabled: true },
    });
    expect(created.statusCode).toBe(201);
    const site = created.json<{ id: string; zapier: { secret: string; webhook_url: string } }>();
    expect(site.zapier.secret).toMatch(/^whsec_/);
    const read = await call('GET', `/v1/admin/sites/${site.id}`);
    expect(site.zapier.webhook_url).toBe(receiver.url);
    const masked = receiver.url.replace(/\/hooks\/.*$/, '/***');
    expect(read.json<{ zapier: Record<string, unknown> }>().zapier).toEqual({
      webhook_url: masked,
      enabled: true,
    });
    const patched = await call('PATCH', `/v1/admin/sites/${site.id}`, { zapier: { enabled: false } });
    expect(patched.json()).toMatchObject({ name: 'Crud', zapier: { enabled: false, webhook_url: masked } });
    expect((await call('POST', '/v1/admin/sites', { hostname: 'crud.test', name: 'Again' })).statusCode).toBe(
      409,
    );
    expect((await call('POST', '/v1/admin/sites', { hostname: 'not a host', name: 'Bad' })).statusCode).toBe(
      400,
    );
    const deleted = await call('DELETE', `/v1/admin/sites/${site.id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ id: site.id, hostname: 'crud.test', leads_erased: 0, leads_removed: 0 });
    expect((await call('GET', `/v1/admin/sites/${site.id}`)).statusCode).toBe(404);
    const stored: Array<{ url: string | null; secret: string }> = await db.dataSource.query(
      `SELECT url, secret FROM endpoint`,
    );
    for (const row of stored) {
      expect(row.url ?? 'enc:v2:').toMatch(/^enc:v2:/);
      expect(row.secret).toMatch(/^enc:v2:/);
    }
  });

  it('makes intake see a site change at once (the cached site is dropped on update)', async () => {
    const created = await call('POST', '/v1/admin/sites', {
      hostname: 'cache.test',
      name: 'Cache',
      zapier: { webhook_url: receiver.url, enabled: true },
    });
    const site = created.json<{ id: string }>();
    const submit = async () =>
      (
        await app.inject({
          method: 'POST',
          url: '/v1/sites/cache.test/leads',
          payload: { email: 'a@example.com' },
        })
      ).json<{ zapier_status: string }>().zapier_status;
    expect(await submit()).toBe('PENDING');
    await call('PATCH', `/v1/admin/sites/${site.id}`, { zapier: { enabled: false } });
    expect(await submit()).toBe('NOT_CONFIGURED');
    await call('PATCH', `/v1/admin/sites/${site.id}`, { zapier: { enabled: true } });
    expect(await submit()).toBe('PENDING');
  });

  it('sends a signed test event now and reports status and timing; after rotation both secrets verify during the grace', async () => {
    const created = await call('POST', '/v1/admin/sites', {
      hostname: 'rotate.test',
      name: 'Rotate',
      zapier: { webhook_url: receiver.url, enabled: true },
    });
    const site = created.json<{ id: string; zapier: { secret: string } }>();
    const rotated = await call('POST', `/v1/admin/sites/${site.id}/zapier/rotate-secret`);
    const newSecret = rotated.json<{ zapier: { secret: string } }>().zapier.secret;
    expect(newSecret).not.toBe(site.zapier.secret);
    receiver.requests.length = 0;
    const test = await call('POST', `/v1/sites/${site.id}/zapier/test`);
    expect(test.statusCode).toBe(200);
    expect(test.json()).toMatchObject({ ok: true, status: 200, duration_ms: expect.any(Number) });
    const [request] = receiver.requests;
    const headers = request.headers as Record<string, string>;
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(newSecret).verify(request.body, headers)).toMatchObject({
      event: 'lead.created',
      site_hostname: 'rotate.test',
    });
    expect(new Webhook(site.zapier.secret).verify(request.body, headers)).toBeTruthy();
  });

  it('refuses plain-http hook URLs unless the development setting allows them', async () => {
    const { app: strict } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: BOOTSTRAP_KEY,
      OUTBOX_RELAY_ENABLED: 'false',
      ALLOW_INSECURE_WEBHOOK_URLS: 'false',
    });
    try {
      for (const url of [
        'http://hooks.example.com/x',
        'https://127.0.0.1/x',
        'https://169.254.169.254/latest',
        'https://localhost/x',
      ]) {
        const response = await strict.inject({
          method: 'POST',
          url: '/v1/admin/sites',
          payload: {
            hostname: `strict-${Math.random().toString(36).slice(2, 8)}.test`,
            name: 'S',
            zapier: { webhook_url: url, enabled: true },
          },
          headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` },
        });
        expect(response.statusCode).toBe(400);
      }
    } finally {
      await strict.close();
    }
  });

  it('shows a lead with its attempts, lists leads with a cursor, and redelivers only what was not SENT', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const events = [];
    for (let i = 0; i < 3; i++) events.push(await seedLead(db.dataSource, site));
    const leadId = events[0].data.lead_id;
    const shown = await call('GET', `/v1/leads/${leadId}`);
    expect(shown.json()).toMatchObject({
      id: leadId,
      site_id: site.id,
      zapier_status: 'PENDING',
      zapier_attempt_count: 0,
      attempts: [],
    });
    expect((await call('GET', `/v1/leads/${leadId}`, undefined, null)).statusCode).toBe(401);
    expect((await call('GET', '/v1/leads/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);

    const page1 = await call('GET', `/v1/leads?site_id=${site.id}&limit=2`);
    const body1 = page1.json<{ items: Array<{ id: string }>; next_cursor: string }>();
    expect(body1.items.map((l) => l.id)).toEqual([events[2].data.lead_id, events[1].data.lead_id]);
    const body2 = (
      await call('GET', `/v1/leads?site_id=${site.id}&limit=2&cursor=${body1.next_cursor}`)
    ).json<{ items: Array<{ id: string }>; next_cursor: null }>();
    expect(body2).toEqual({ items: [expect.objectContaining({ id: leadId })], next_cursor: null });
    expect((await call('GET', `/v1/leads?status=NOPE`)).statusCode).toBe(400);

    // Its zapier delivery failed six times and was dead-lettered.
    const [{ id: deliveryId, endpoint_id: endpointId }]: Array<{ id: string; endpoint_id: string }> =
      await db.dataSource.query(
        `INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, mirrors_lead, status, attempt_count)
         SELECT $1, 'lead.created', $2, $3, e.id, true, 'FAILED', 6 FROM endpoint e WHERE e.site_id = $3 AND e.name = 'zapier'
         RETURNING id, endpoint_id`,
        [events[0].id, leadId, site.id],
      );
    await db.dataSource.query(
      `UPDATE lead SET zapier_status = 'FAILED', zapier_attempt_count = 6 WHERE id = $1`,
      [leadId],
    );
    const redeliver = await call('POST', `/v1/leads/${leadId}/redeliver`);
    expect(redeliver.statusCode).toBe(202);
    expect(redeliver.json()).toEqual({
      id: leadId,
      zapier_status: 'PENDING',
      requeued: [{ delivery_id: deliveryId, endpoint_id: endpointId }],
      fanned_out: false,
    });
    const queued = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .findOneByOrFail({ aggregateId: leadId });
    expect(queued.headers).toMatchObject({
      'lh-attempt': '7',
      'lh-cycle-step': '0',
      'lh-delivery-id': deliveryId,
      'lh-endpoint-id': endpointId,
    });
    expect(queued.payload).toMatchObject({ id: events[0].id, data: { lead_id: leadId } });
    expect((await new LeadRepository(db.dataSource, testLeadKeys()).findById(leadId))?.zapierStatus).toBe(
      'PENDING',
    );

    await db.dataSource.query(`UPDATE delivery SET status = 'SENT' WHERE id = $1`, [deliveryId]);
    expect((await call('POST', `/v1/leads/${leadId}/redeliver`)).statusCode).toBe(409);

    // A lead never fanned out to an enabled endpoint goes out again to fan out.
    const fresh = events[1].data.lead_id;
    const fanned = await call('POST', `/v1/leads/${fresh}/redeliver`);
    expect(fanned.statusCode).toBe(202);
    expect(fanned.json()).toMatchObject({ requeued: [], fanned_out: true, zapier_status: 'PENDING' });
    const message = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .findOneByOrFail({ aggregateId: fresh });
    expect(message.headers).toEqual({ 'lh-attempt': '1', 'lh-cycle-step': '0' });
  });

  it('lists recorded DLT replays', async () => {
    const response = await call('GET', '/v1/admin/replays');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });
});
