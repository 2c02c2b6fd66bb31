import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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

const ADMIN = 'lh_bootstrap_erasure_key_0123456789';
const EMAIL = 'erase.me@example.com';
const PHONE = '+1 555 0100 777';

/** DELETE /v1/leads/{id} and GET /v1/leads/{id}/export (issue 24, docs/privacy.md), through the real API. */
describe('lead erasure and export (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('erasureapi'),
      createTestKafka('erasureapi'),
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

  const call = (key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });

  async function postLead(hostname: string, email = EMAIL, phone = PHONE): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: `/v1/sites/${hostname}/leads`,
      payload: { name: 'Erin Erase', email, phone, message: 'call me', plan: 'gold' },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  }

  /** Every row of every table that mentions the email or the phone, readable. */
  async function tablesHolding(...needles: string[]): Promise<string[]> {
    const tables: Array<{ table_name: string }> = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const found: string[] = [];
    for (const { table_name } of tables) {
      const [{ count }]: Array<{ count: number }> = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM "${table_name}" t
          WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS needle WHERE strpos(t::text, needle) > 0)`,
        [needles],
      );
      if (count) found.push(table_name);
    }
    return found;
  }

  it('stores the event sealed: no table but the lead row holds the email or phone readable', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const id = await postLead(site.hostname);
    expect(await tablesHolding(EMAIL, PHONE)).toEqual(['lead']);
    const [row] = await db.dataSource.query(`SELECT payload FROM outbox WHERE aggregate_id = $1`, [id]);
    expect((await openStoredEvent(db.dataSource, row.payload)).data).toMatchObject({
      email: EMAIL,
      phone: PHONE,
    });
  });

  it('erases a lead everywhere, says what it erased, audits who and when, and is idempotent', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const [email, phone] = ['only.once@example.com', '+1 555 0199 123'];
    const id = await postLead(site.hostname, email, phone);
    const patched = await call(ADMIN, 'PATCH', `/v1/leads/${id}`, { name: 'Erin Updated' });
    expect(patched.statusCode).toBe(200);

    const erased = await call(ADMIN, 'DELETE', `/v1/leads/${id}`);
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({
      lead_id: id,
      site_id: site.id,
      erased_by: 'admin-key',
      reason: 'request',
      already_erased: false,
      erased: { lead_fields: true, data_key: true, outbox_rows: 2, lead_updates: 1 },
    });
    expect(await tablesHolding(email, phone, 'Erin Updated')).toEqual([]);
    const [key] = await db.dataSource.query(`SELECT sealed_key, erased_at FROM lead_key WHERE lead_id = $1`, [
      id,
    ]);
    expect(key).toMatchObject({ sealed_key: null, erased_at: expect.any(Date) });
    const [audit] = await db.dataSource.query(`SELECT * FROM lead_erasure WHERE lead_id = $1`, [id]);
    expect(audit).toMatchObject({ erased_by: 'admin-key', reason: 'request', site_id: site.id });

    const lead = await call(ADMIN, 'GET', `/v1/leads/${id}`);
    expect(lead.json()).toMatchObject({ id, email: null, phone: null, name: null, extra: {} });
    expect(lead.json<{ erased_at: string | null }>().erased_at).not.toBeNull();
    expect((await call(ADMIN, 'PATCH', `/v1/leads/${id}`, { name: 'Back' })).statusCode).toBe(404);
    const again = await call(ADMIN, 'DELETE', `/v1/leads/${id}`);
    expect(again.json()).toMatchObject({ lead_id: id, already_erased: true });
    expect((await call(ADMIN, 'DELETE', `/v1/leads/0193a2b4-0000-7000-8000-000000000404`)).statusCode).toBe(
      404,
    );
  });

  it("lets a site key erase and export its own site's leads only", async () => {
    const mine = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const other = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const made = await call(ADMIN, 'POST', `/v1/admin/sites/${mine.id}/api-keys`, { name: 'CRM' });
    const key = made.json<{ id: string; key: string }>();
    const own = await postLead(mine.hostname);
    const foreign = await postLead(other.hostname);
    expect((await call(key.key, 'DELETE', `/v1/leads/${foreign}`)).statusCode).toBe(404);
    expect((await call(key.key, 'GET', `/v1/leads/${foreign}/export`)).statusCode).toBe(404);
    expect((await call(ADMIN, 'GET', `/v1/leads/${foreign}`)).json()).toMatchObject({ email: EMAIL });
    const erased = await call(key.key, 'DELETE', `/v1/leads/${own}`);
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ erased_by: `site-key:${key.id}` });
  });

  it('emits lead.deleted (ids only, plain) with the erasure, which a REST hook may take and the sample list shows', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const made = await call(ADMIN, 'POST', `/v1/admin/sites/${site.id}/api-keys`, { name: 'Zapier' });
    const key = made.json<{ id: string; key: string }>().key;
    const hook = await call(key, 'POST', '/v1/hooks', {
      target_url: `${receiver.url}deleted`,
      event: 'lead.deleted',
    });
    expect(hook.statusCode).toBe(201);
    expect(hook.json()).toMatchObject({ event: 'lead.deleted' });
    const id = await postLead(site.hostname, 'gone.soon@example.com', '+1 555 0142 999');

    const erased = await call(key, 'DELETE', `/v1/leads/${id}`);
    expect(erased.statusCode).toBe(200);
    const { event_id: eventId, erased_at: erasedAt } = erased.json<{ event_id: string; erased_at: string }>();
    expect(eventId).toEqual(expect.any(String));
    const rows: Array<{ topic: string; event_type: string; payload: unknown }> = await db.dataSource.query(
      `SELECT topic, event_type, payload FROM outbox WHERE aggregate_id = $1`,
      [id],
    );
    expect(rows).toEqual([
      {
        topic: 'lead.deleted',
        event_type: 'lead.deleted',
        payload: {
          id: eventId,
          type: 'lead.deleted',
          version: 1,
          occurred_at: erasedAt,
          data: { lead_id: id, site_id: site.id, erased_at: erasedAt, reason: 'request' },
        },
      },
    ]);
    expect(await tablesHolding('gone.soon@example.com', '+1 555 0142 999')).toEqual([]);

    const samples = await call(key, 'GET', '/v1/leads?limit=3&event=lead.deleted');
    expect(samples.json()).toEqual([
      {
        id: eventId,
        event: 'lead.deleted',
        event_id: eventId,
        lead_id: id,
        site_id: site.id,
        site_hostname: site.hostname,
        site_name: site.name,
        erased_at: erasedAt,
        reason: 'request',
        attempt: 1,
      },
    ]);
    // The erased lead is gone from the lead.created samples too (its tombstone has no fields to show).
    const created = await call(key, 'GET', '/v1/leads?limit=3&event=lead.created');
    expect(created.json<Array<{ lead_id: string }>>().map((item) => item.lead_id)).not.toContain(id);
  });

  it('exports everything stored about a lead as one JSON document', async () => {
    const site = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const id = await postLead(site.hostname);
    const exported = await call(ADMIN, 'GET', `/v1/leads/${id}/export`);
    expect(exported.statusCode).toBe(200);
    const document = exported.json<Record<string, unknown>>();
    expect(document).toMatchObject({
      lead: { id, email: EMAIL, phone: PHONE, name: 'Erin Erase', extra: { plan: 'gold' } },
      deliveries: [],
      delivery_attempts: [],
      lead_updates: [],
      inbound_requests: [],
      erasures: [],
    });
    expect(exported.body).not.toContain('sealed_key');
    await call(ADMIN, 'DELETE', `/v1/leads/${id}`);
    const after = (await call(ADMIN, 'GET', `/v1/leads/${id}/export`)).json<Record<string, unknown>>();
    expect(JSON.stringify(after)).not.toContain(EMAIL);
    expect(after).toMatchObject({ erasures: [{ lead_id: id, reason: 'request' }] });
  });
});
