import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import { eraseLeads, LeadErasureRepository } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  type TestDatabase,
  type TestKafka,
  WebhookReceiver,
} from '@leadhooks/testing';
import { RetentionSweeper } from '../src/retention/retention-sweep.service.js';
import { createTestLeadsApi } from './leads-api-harness.js';

const ADMIN = 'lh_bootstrap_retention_key_0123456789';
const DAY_MS = 86_400_000;

/** The retention sweep and site deletion (issue 24, docs/privacy.md) on real Postgres, through the real API. */
describe('retention sweep and site deletion (real Postgres)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: WebhookReceiver;
  let app: NestFastifyApplication;
  let replica: NestFastifyApplication;
  let counter = 0;

  const settings = {
    ADMIN_API_KEY: ADMIN,
    OUTBOX_RELAY_ENABLED: 'false',
    RETENTION_SWEEP_INTERVAL: '0',
    LEAD_RETENTION_DAYS: '30',
    ATTEMPT_TEXT_RETENTION_DAYS: '7',
    INBOUND_LOG_RETENTION_DAYS: '3',
    RETENTION_BATCH_SIZE: '3',
  };

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('retention'),
      createTestKafka('retention'),
      WebhookReceiver.start(),
    ]);
    // Two replicas on one database: their sweeps race in the last test. The replica's timer is on (its first sweep
    // would come in 6 hours, long after the tests) for its metrics.
    [{ app }, { app: replica }] = await Promise.all([
      createTestLeadsApi(db, kafka, settings),
      createTestLeadsApi(db, kafka, { ...settings, RETENTION_SWEEP_INTERVAL: '6h' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([app?.close(), replica?.close()]);
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${ADMIN}` } });

  async function newSite(retentionDays?: number | null): Promise<{ id: string; hostname: string }> {
    const hostname = `ret${++counter}-${Date.now().toString(36)}.test`;
    const response = await call('POST', '/v1/admin/sites', {
      hostname,
      name: `Retention ${counter}`,
      zapier: { webhook_url: receiver.url, enabled: true },
      ...(retentionDays === undefined ? {} : { retention_days: retentionDays }),
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  }

  /** A lead posted now, then aged `ageDays`; with a pending delivery and a failed attempt quoting the lead. */
  async function leadOf(site: { id: string; hostname: string }, ageDays: number): Promise<string> {
    const email = `lead${++counter}@example.com`;
    const response = await app.inject({
      method: 'POST',
      url: `/v1/sites/${site.hostname}/leads`,
      payload: { name: 'Rita Retain', email, phone: '+1 555 0100 999' },
    });
    expect(response.statusCode).toBe(201);
    const id = response.json<{ id: string }>().id;
    const at = new Date(Date.now() - ageDays * DAY_MS);
    await db.dataSource.query(`UPDATE lead SET created_at = $2, submitted_at = $2 WHERE id = $1`, [id, at]);
    const [delivery]: Array<{ id: string; endpoint_id: string }> = await db.dataSource.query(
      `INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, status, attempt_count,
                             last_attempt_at, last_error)
       SELECT l.event_id, 'lead.created', l.id, l.site_id, e.id, 'PENDING', 1, $2, $3
         FROM lead l JOIN endpoint e ON e.site_id = l.site_id AND e.name = 'zapier' WHERE l.id = $1
       RETURNING id, endpoint_id`,
      [id, at, `HTTP 503 Service Unavailable: ${email} is on hold`],
    );
    await db.dataSource.query(
      `INSERT INTO delivery_attempt (lead_id, delivery_id, endpoint_id, event_type, attempt, tier, started_at,
                                     duration_ms, http_status, error_class, error, response_snippet)
       VALUES ($1, $2, $3, 'lead.created', 1, 'main', $4, 12, 503, 'http', $5, $6)`,
      [id, delivery.id, delivery.endpoint_id, at, `HTTP 503: ${email} is on hold`, `{"error":"${email}"}`],
    );
    return id;
  }

  const leadRow = async (id: string) =>
    (
      await db.dataSource.query<Array<{ email: string | null; erased_at: Date | null }>>(
        `SELECT email, erased_at FROM lead WHERE id = $1`,
        [id],
      )
    )[0];
  const audits = (id: string) =>
    db.dataSource.query<Array<{ erased_by: string; reason: string }>>(
      `SELECT erased_by, reason FROM lead_erasure WHERE lead_id = $1`,
      [id],
    );
  const sweep = () => app.get(RetentionSweeper).runOnce();

  it('erases a lead older than the default retention exactly as DELETE does, and leaves a newer one', async () => {
    const site = await newSite();
    const old = await leadOf(site, 31);
    const recent = await leadOf(site, 29);
    const report = await sweep();
    expect(report?.leadsErased).toBeGreaterThanOrEqual(1);
    expect(await leadRow(old)).toMatchObject({ email: null, erased_at: expect.any(Date) });
    expect(await audits(old)).toEqual([{ erased_by: 'retention', reason: 'retention' }]);
    expect(
      await db.dataSource.query(`SELECT status, last_error FROM delivery WHERE lead_id = $1`, [old]),
    ).toEqual([{ status: 'SKIPPED', last_error: 'erased' }]);
    const [key] = await db.dataSource.query(`SELECT sealed_key, erased_at FROM lead_key WHERE lead_id = $1`, [
      old,
    ]);
    expect(key).toMatchObject({ sealed_key: null, erased_at: expect.any(Date) });
    expect(await leadRow(recent)).toMatchObject({ email: expect.stringContaining('@'), erased_at: null });
    expect(await audits(recent)).toEqual([]);
  });

  it("a site's own retention wins over the default, both ways (shorter, and 0 = forever)", async () => {
    const short = await newSite(5);
    const forever = await newSite(0);
    const longer = await newSite(60);
    const shortOld = await leadOf(short, 6);
    const shortNew = await leadOf(short, 4);
    const keptForever = await leadOf(forever, 4000);
    const keptLonger = await leadOf(longer, 45);
    const longerOld = await leadOf(longer, 61);
    await sweep();
    expect((await leadRow(shortOld)).erased_at).not.toBeNull();
    expect((await leadRow(shortNew)).erased_at).toBeNull();
    expect((await leadRow(keptForever)).erased_at).toBeNull();
    expect((await leadRow(keptLonger)).erased_at).toBeNull();
    expect((await leadRow(longerOld)).erased_at).not.toBeNull();
  });

  it('the retention is set and cleared through the admin API, and shows what applies', async () => {
    const site = await newSite();
    expect(site).toMatchObject({ retention_days: null, effective_retention_days: 30 });
    const set = await call('PATCH', `/v1/admin/sites/${site.id}`, { retention_days: 14 });
    expect(set.json()).toMatchObject({ retention_days: 14, effective_retention_days: 14 });
    const renamed = await call('PATCH', `/v1/admin/sites/${site.id}`, { name: 'Renamed' });
    expect(renamed.json()).toMatchObject({ retention_days: 14 });
    const cleared = await call('PATCH', `/v1/admin/sites/${site.id}`, { retention_days: null });
    expect(cleared.json()).toMatchObject({ retention_days: null, effective_retention_days: 30 });
    for (const bad of [-1, 1.5, 36501, '7']) {
      const refused = await call('PATCH', `/v1/admin/sites/${site.id}`, { retention_days: bad });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('retention_days');
    }
  });

  it('works in bounded batches: 7 expired leads with a batch size of 3 take batches of 3, 3 and 1', async () => {
    // Leads older than every other test's: this sweep's oldest-first batches are theirs alone.
    const site = await newSite(1);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await leadOf(site, 9000 + i));
    const report = await sweep();
    expect(report?.leadBatches).toEqual([3, 3, 1]);
    expect(report?.leadsErased).toBe(7);
    for (const id of ids) expect((await leadRow(id)).erased_at).not.toBeNull();
  });

  it('clears attempt texts and trims last errors after ATTEMPT_TEXT_RETENTION_DAYS, deletes inbound log lines after INBOUND_LOG_RETENTION_DAYS', async () => {
    const site = await newSite(0);
    const aged = await leadOf(site, 8);
    const fresh = await leadOf(site, 6);
    const source = (
      await call('POST', `/v1/admin/sites/${site.id}/sources`, { name: 'Old form tool' })
    ).json<{ id: string }>();
    await db.dataSource.query(
      `INSERT INTO inbound_request (id, source_id, received_at, status, size_bytes, body, body_format)
       VALUES (gen_random_uuid(), $1, now() - interval '4 days', 422, 10, '{"email":"x@example.com"}', 'json'),
              (gen_random_uuid(), $1, now() - interval '2 days', 422, 10, '{"email":"y@example.com"}', 'json')`,
      [source.id],
    );
    const report = await sweep();
    expect(report?.attemptTextsCleared).toBeGreaterThanOrEqual(1);
    expect(report?.inboundLogsDeleted).toBeGreaterThanOrEqual(1);
    const attempt = (id: string) =>
      db.dataSource.query(
        `SELECT a.error, a.response_snippet, a.http_status, d.last_error, l.zapier_last_error
           FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id JOIN lead l ON l.id = a.lead_id
          WHERE a.lead_id = $1`,
        [id],
      );
    expect(await attempt(aged)).toEqual([
      {
        error: null,
        response_snippet: null,
        http_status: 503,
        last_error: 'HTTP 503',
        zapier_last_error: null,
      },
    ]);
    expect((await attempt(fresh))[0]).toMatchObject({
      error: expect.stringContaining('@example.com'),
      last_error: expect.stringContaining('@example.com'),
    });
    expect(
      await db.dataSource.query(`SELECT body FROM inbound_request WHERE source_id = $1`, [source.id]),
    ).toEqual([{ body: '{"email":"y@example.com"}' }]);
    // The leads themselves are kept (retention 0): only the texts went.
    expect((await leadRow(aged)).erased_at).toBeNull();
  });

  it('exports what each sweep did as metrics, and the interval (0: off) with every outcome from 0 for the alerts', async () => {
    const before = await app.get(Registry).metrics();
    expect(before).toMatch(/leadhooks_retention_sweeps_total\{[^}]*outcome="failed"[^}]*\} 0\n/);
    expect(before).toMatch(/leadhooks_retention_sweep_interval_seconds\{[^}]*\} 0\n/);
    expect(await replica.get(Registry).metrics()).toMatch(
      /leadhooks_retention_sweep_interval_seconds\{[^}]*\} 21600\n/,
    );
    const site = await newSite(2);
    await leadOf(site, 3);
    await sweep();
    const metrics = await app.get(Registry).metrics();
    expect(metrics).toMatch(/leadhooks_retention_last_sweep_timestamp_seconds\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/leadhooks_retention_leads_erased_total\{[^}]*reason="retention"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/leadhooks_retention_attempt_texts_cleared_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/leadhooks_retention_inbound_logs_deleted_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/leadhooks_retention_sweeps_total\{[^}]*outcome="complete"[^}]*\} [1-9]/);
  });

  it('two replicas sweeping at once erase each lead once (one sweeps, the other finds the lock taken)', async () => {
    const site = await newSite(1);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await leadOf(site, 2));
    const [a, b] = await Promise.all([sweep(), replica.get(RetentionSweeper).runOnce()]);
    const erased = (a?.leadsErased ?? 0) + (b?.leadsErased ?? 0);
    expect(erased).toBe(8);
    for (const id of ids) expect(await audits(id)).toHaveLength(1);
  });

  it('erasing the same leads from two replicas at once, without the lock, still erases each once', async () => {
    const site = await newSite(0);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await leadOf(site, 1));
    const actor = { by: 'retention', reason: 'retention' } as const;
    const [a, b] = await Promise.all([
      eraseLeads(app.get(LeadErasureRepository), ids, actor),
      eraseLeads(replica.get(LeadErasureRepository), [...ids].reverse(), actor),
    ]);
    expect(a + b).toBe(6);
    for (const id of ids) expect(await audits(id)).toHaveLength(1);
  });

  it("deleting a site erases its leads the same way and says how many; the erasures' audit stays", async () => {
    const site = await newSite(0);
    const ids = [await leadOf(site, 1), await leadOf(site, 2), await leadOf(site, 3)];
    // One erased before: removed with the site, not counted as erased by it.
    expect((await call('DELETE', `/v1/leads/${ids[0]}`)).statusCode).toBe(200);
    const deleted = await call('DELETE', `/v1/admin/sites/${site.id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({
      id: site.id,
      hostname: site.hostname,
      leads_erased: 2,
      leads_removed: 3,
    });
    expect((await call('GET', `/v1/admin/sites/${site.id}`)).statusCode).toBe(404);
    expect(await db.dataSource.query(`SELECT id FROM lead WHERE site_id = $1`, [site.id])).toEqual([]);
    expect(await audits(ids[1])).toEqual([{ erased_by: `site-deletion:${site.id}`, reason: 'site_deleted' }]);
    expect(await audits(ids[0])).toHaveLength(1);
    const intake = await app.inject({
      method: 'POST',
      url: `/v1/sites/${site.hostname}/leads`,
      payload: { email: 'late@example.com' },
    });
    expect(intake.statusCode).toBe(404);
    expect((await call('DELETE', `/v1/admin/sites/${site.id}`)).statusCode).toBe(404);
    const metrics = await app.get(Registry).metrics();
    expect(metrics).toMatch(/leadhooks_retention_leads_erased_total\{[^}]*reason="site_deleted"[^}]*\} 2/);
  });
});
