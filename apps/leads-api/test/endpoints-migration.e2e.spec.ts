import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  DeliveryEntity,
  EndpointRepository,
  LeadEntity,
  MIGRATIONS,
  runMigrations,
  SecretBox,
  SiteRepository,
} from '@leadhooks/db';
import { TEST_ENCRYPTION_KEY } from '@leadhooks/testing';

const ENDPOINTS_MIGRATION = MIGRATIONS.findIndex((migration) => migration.name.startsWith('Endpoints'));

/**
 * The endpoints migration on a database populated as it was before it (one hook per site, delivery state on the
 * lead): every hook, secret and lead state must come through, and `down` must give them back.
 */
describe('migration to endpoints and deliveries (real Postgres, populated database)', () => {
  const box = new SecretBox(TEST_ENCRYPTION_KEY);
  const name = `lh_migrate_${randomBytes(4).toString('hex')}`;
  let url: string;
  let dataSource: DataSource;

  const server = () => new pg.Client({ connectionString: process.env.LEADHOOKS_TEST_SERVER_URL });
  const open = async (migrations: typeof MIGRATIONS) => {
    const source = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), migrations });
    await source.initialize();
    return source;
  };

  beforeAll(async () => {
    const admin = server();
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(process.env.LEADHOOKS_TEST_SERVER_URL as string);
    target.pathname = `/${name}`;
    url = target.toString();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    const admin = server();
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('carries every site hook, secret and lead delivery state into endpoints and deliveries, and back', async () => {
    expect(ENDPOINTS_MIGRATION).toBeGreaterThan(0);
    const before = await open(MIGRATIONS.slice(0, ENDPOINTS_MIGRATION));
    await runMigrations(before);
    const hooked = randomUUID();
    const bare = randomUUID();
    const grace = new Date(Date.now() + 3_600_000);
    await before.query(
      `INSERT INTO site (id, hostname, name, zapier_webhook_url, zapier_enabled, zapier_secret, zapier_previous_secret, zapier_previous_secret_expires_at)
       VALUES ($1, 'hooked.test', 'Hooked', $2, true, $3, $4, $5), ($6, 'bare.test', 'Bare', NULL, false, $7, NULL, NULL)`,
      [
        hooked,
        box.seal('https://hooks.zapier.com/hooks/catch/1/abc/'),
        box.seal('whsec_current'),
        box.seal('whsec_previous'),
        grace,
        bare,
        box.seal('whsec_bare'),
      ],
    );
    const lead = async (site: string, status: string | null, extra: Record<string, unknown> = {}) => {
      const id = randomUUID();
      await before.query(
        `INSERT INTO lead (id, site_id, submitted_at, email, event_id, zapier_status, zapier_attempt_count,
                           zapier_last_attempt_at, zapier_last_error, zapier_sent_at, lock_token, locked_until,
                           zapier_next_attempt_at, zapier_cycle_step)
         VALUES ($1, $2, now(), 'a@example.com', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          site,
          randomUUID(),
          status,
          extra.attempts ?? 0,
          extra.lastAttemptAt ?? null,
          extra.lastError ?? null,
          extra.sentAt ?? null,
          extra.lockToken ?? null,
          extra.lockedUntil ?? null,
          extra.nextAttemptAt ?? null,
          extra.cycleStep ?? 0,
        ],
      );
      for (let attempt = 1; attempt <= Number(extra.attempts ?? 0); attempt++) {
        await before.query(
          `INSERT INTO delivery_attempt (lead_id, attempt, tier, started_at, duration_ms, http_status, error)
           VALUES ($1, $2, 'main', now(), 10, $3, $4)`,
          [id, attempt, status === 'SENT' && attempt === extra.attempts ? 200 : 503, 'HTTP 503'],
        );
      }
      return id;
    };
    const lockToken = randomUUID();
    const lockedUntil = new Date(Date.now() + 60_000);
    const nextAttemptAt = new Date(Date.now() + 120_000);
    const pending = await lead(hooked, 'PENDING', {
      attempts: 2,
      lockToken,
      lockedUntil,
      nextAttemptAt,
      cycleStep: 2,
    });
    const sent = await lead(hooked, 'SENT', { attempts: 1, sentAt: new Date() });
    const failed = await lead(hooked, 'FAILED', { attempts: 6, lastError: 'HTTP 503' });
    const unconfigured = await lead(bare, 'NOT_CONFIGURED');
    const replay = randomUUID();
    await before.query(`INSERT INTO dlt_replay (id, actor, filter, selected) VALUES ($1, 'ops', '{}', 1)`, [
      replay,
    ]);
    await before.query(
      `INSERT INTO dlt_replay_item (replay_id, lead_id, dlt_partition, dlt_offset, outcome) VALUES ($1, $2, 0, 7, 'replayed')`,
      [replay, failed],
    );
    await before.destroy();

    dataSource = await open(MIGRATIONS);
    expect(await runMigrations(dataSource)).toEqual([
      MIGRATIONS[ENDPOINTS_MIGRATION].name,
      ...MIGRATIONS.slice(ENDPOINTS_MIGRATION + 1).map((m) => m.name),
    ]);

    // The site's §10 zapier object reads as before, now from its `zapier` endpoint.
    const sites = new SiteRepository(dataSource, box);
    expect(await sites.findById(hooked)).toMatchObject({
      hostname: 'hooked.test',
      zapier: {
        webhookUrl: 'https://hooks.zapier.com/hooks/catch/1/abc/',
        enabled: true,
        secret: 'whsec_current',
        previousSecret: 'whsec_previous',
        previousSecretExpiresAt: grace,
      },
      problem: null,
    });
    expect(await sites.findById(bare)).toMatchObject({
      zapier: { webhookUrl: null, enabled: false, secret: 'whsec_bare' },
    });
    const endpoints = await new EndpointRepository(dataSource, box).listBySite(hooked);
    expect(endpoints).toEqual([
      expect.objectContaining({
        name: 'zapier',
        kind: 'manual',
        events: ['lead.created'],
        auth: 'standard_webhooks',
        format: 'flat',
        headers: {},
        url: 'https://hooks.zapier.com/hooks/catch/1/abc/',
      }),
    ]);

    // Each lead that had a delivery state has its zapier lead.created delivery, with that state, lease and position.
    const deliveries = dataSource.getRepository(DeliveryEntity);
    const of = (leadId: string) => deliveries.findOneBy({ leadId });
    expect(await of(pending)).toMatchObject({
      eventType: 'lead.created',
      endpointId: endpoints[0].id,
      mirrorsLead: true,
      status: 'PENDING',
      attemptCount: 2,
      lockToken,
      lockedUntil,
      nextAttemptAt,
      cycleStep: 2,
      lastStatus: 503,
    });
    expect(await of(sent)).toMatchObject({
      status: 'SENT',
      attemptCount: 1,
      sentAt: expect.any(Date),
      lastStatus: 200,
    });
    expect(await of(failed)).toMatchObject({ status: 'FAILED', attemptCount: 6, lastError: 'HTTP 503' });
    expect(await of(unconfigured)).toBeNull();
    const leads = dataSource.getRepository(LeadEntity);
    expect(await leads.findOneByOrFail({ id: failed })).toMatchObject({
      zapierStatus: 'FAILED',
      zapierAttemptCount: 6,
      version: 1,
      fannedOutAt: expect.any(Date),
    });
    const unattached: Array<{ n: number }> = await dataSource.query(
      `SELECT count(*)::int AS n FROM delivery_attempt WHERE delivery_id IS NULL OR endpoint_id IS NULL`,
    );
    expect(unattached).toEqual([{ n: 0 }]);
    expect(await dataSource.query(`SELECT dlt_topic, delivery_id FROM dlt_replay_item`)).toEqual([
      { dlt_topic: 'lead.created.dlt', delivery_id: null },
    ]);

    // And back: the hook on the site, the lease and position on the lead (later migrations undone first).
    for (let undo = MIGRATIONS.length - 1; undo >= ENDPOINTS_MIGRATION; undo--)
      await dataSource.undoLastMigration({ transaction: 'all' });
    const [site]: Array<Record<string, unknown>> = await dataSource.query(
      `SELECT zapier_webhook_url, zapier_enabled, zapier_secret FROM site WHERE id = $1`,
      [hooked],
    );
    expect(box.open(site.zapier_webhook_url as string)).toBe('https://hooks.zapier.com/hooks/catch/1/abc/');
    expect(site.zapier_enabled).toBe(true);
    expect(box.open(site.zapier_secret as string)).toBe('whsec_current');
    const [restored]: Array<Record<string, unknown>> = await dataSource.query(
      `SELECT lock_token, zapier_cycle_step FROM lead WHERE id = $1`,
      [pending],
    );
    expect(restored).toEqual({ lock_token: lockToken, zapier_cycle_step: 2 });
  });
});
