import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestDatabase,
  createTestKafka,
  seedEndpoint,
  seedSite,
  type TestDatabase,
  type TestKafka,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

const ADMIN = 'lh_bootstrap_hostile_key_0123456789';
/** Small in this file, so a lead over it fits under the form's body limit. */
const LEAD_MAX_BYTES = 16 * 1024;

/**
 * What one tenant sends must not reach past its own share (issue 20, SPEC §1 "Isolation"): a lead over the size
 * bound, text SQL cannot take in a path or query, custom headers no client can send, a race past the REST hook
 * limit. Each is refused with a 4xx naming what was wrong; nothing becomes a 500.
 */
describe('a hostile tenant is refused at the API (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('hostile'), createTestKafka('hostile')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: ADMIN,
      OUTBOX_RELAY_ENABLED: 'false',
      LEAD_MAX_BYTES: String(LEAD_MAX_BYTES),
      INBOUND_RATE_LIMIT_PER_SOURCE_PER_SECOND: '0',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  const call = (key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });

  async function siteWithKey() {
    const site = await seedSite(db.dataSource);
    const made = await call(ADMIN, 'POST', `/v1/admin/sites/${site.id}/api-keys`, { name: 'Zapier' });
    expect(made.statusCode).toBe(201);
    return { site, key: made.json<{ key: string }>().key };
  }

  /** `count` extra fields of `chars` characters each (under intake's per-field limits). */
  const extras = (prefix: string, count: number, chars = 1000) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'x'.repeat(chars)]));

  it('refuses a lead over LEAD_MAX_BYTES at the form, the inbound route and the API create (400 naming the limit)', async () => {
    const { site, key } = await siteWithKey();
    const big = { email: 'big@example.com', ...extras('f', 20) };
    const small = { email: 'small@example.com', ...extras('f', 5) };

    const form = await app.inject({ method: 'POST', url: `/v1/sites/${site.hostname}/leads`, payload: big });
    expect(form.statusCode).toBe(400);
    expect(form.json().errors).toEqual([
      { field: 'body', message: expect.stringMatching(/at most 16384 are accepted \(LEAD_MAX_BYTES\)/) },
    ]);
    expect(
      (await app.inject({ method: 'POST', url: `/v1/sites/${site.hostname}/leads`, payload: small }))
        .statusCode,
    ).toBe(201);

    const created = await call(key, 'POST', '/v1/leads', big);
    expect(created.statusCode).toBe(400);
    expect(created.json().message).toMatch(/LEAD_MAX_BYTES/);

    const source = await call(ADMIN, 'POST', `/v1/admin/sites/${site.id}/sources`, { name: 'tool' });
    expect(source.statusCode).toBe(201);
    const token = source.json<{ token: string }>().token;
    const inbound = await app.inject({ method: 'POST', url: `/v1/inbound/${token}`, payload: big });
    expect(inbound.statusCode).toBe(400);
    expect(inbound.json().message).toMatch(/LEAD_MAX_BYTES/);
    expect(
      (await app.inject({ method: 'POST', url: `/v1/inbound/${token}`, payload: small })).statusCode,
    ).toBe(201);

    const stored: Array<{ count: number }> = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM lead WHERE site_id = $1`,
      [site.id],
    );
    expect(stored[0].count).toBe(2);
  });

  it('refuses a PATCH that would grow a lead past LEAD_MAX_BYTES, and emits nothing for it', async () => {
    const { key } = await siteWithKey();
    const lead = await call(key, 'POST', '/v1/leads', { email: 'grow@example.com' });
    expect(lead.statusCode).toBe(201);
    const id = lead.json<{ id: string }>().id;
    // Each PATCH stays within intake's per-field limits; together they pass the lead's bound.
    expect((await call(key, 'PATCH', `/v1/leads/${id}`, { extra: extras('a', 10) })).statusCode).toBe(200);
    const grown = await call(key, 'PATCH', `/v1/leads/${id}`, { extra: extras('b', 10) });
    expect(grown.statusCode).toBe(400);
    expect(grown.json().errors).toEqual([
      { field: 'body', message: expect.stringMatching(/at most 16384 are accepted \(LEAD_MAX_BYTES\)/) },
    ]);
    const events: Array<{ count: number }> = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM outbox WHERE aggregate_id = $1 AND event_type = 'lead.updated'`,
      [id],
    );
    expect(events[0].count).toBe(1);
    // Shrinking it back is fine.
    expect((await call(key, 'PATCH', `/v1/leads/${id}`, { extra: { a0: null, a1: null } })).statusCode).toBe(
      200,
    );
  });

  it('keeps concurrent subscribes within 200 REST hooks per site (the bound is in the INSERT)', async () => {
    const { site, key } = await siteWithKey();
    for (let i = 0; i < 195; i++)
      await seedEndpoint(db.dataSource, site, {
        url: 'http://127.0.0.1:9/hook',
        kind: 'zapier_rest_hook',
        name: `hook-${i}`,
      });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(key, 'POST', '/v1/hooks', { target_url: `http://127.0.0.1:9/zap/${i}`, event: 'lead.created' }),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 409)).toHaveLength(25);
    const live: Array<{ count: number }> = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM endpoint
        WHERE site_id = $1 AND kind = 'zapier_rest_hook' AND deleted_at IS NULL`,
      [site.id],
    );
    expect(live[0].count).toBe(200);
  });

  it('answers 400 naming the parameter, never 500, for a NUL in a path or query', async () => {
    const { site, key } = await siteWithKey();
    const requests: Array<[string, 'GET' | 'POST', string, string]> = [
      [ADMIN, 'POST', '/v1/sites/%00/leads', 'hostname'],
      [ADMIN, 'POST', `/v1/sites/${site.hostname}%00/leads`, 'hostname'],
      [key, 'GET', '/v1/leads/search?email=%00', 'email'],
      [key, 'GET', '/v1/leads/search?phone=1%00', 'phone'],
      [ADMIN, 'GET', '/v1/leads?cursor=%00', 'cursor'],
      [ADMIN, 'GET', '/v1/admin/deliveries?cursor=%00', 'cursor'],
      [ADMIN, 'GET', `/v1/admin/sites/${site.id}%00`, 'id'],
      [ADMIN, 'POST', '/v1/inbound/%00', 'token'],
      [ADMIN, 'GET', '/v1/leads?%00=1', ' '],
    ];
    for (const [auth, method, url, field] of requests) {
      const answer =
        method === 'POST' && url.startsWith('/v1/sites/')
          ? await app.inject({ method, url, payload: { email: 'nul@example.com' } })
          : await call(auth, method, url, method === 'POST' ? {} : undefined);
      expect({ url, status: answer.statusCode }).toEqual({ url, status: 400 });
      expect({ url, errors: answer.json().errors }).toEqual({
        url,
        errors: [expect.objectContaining({ field })],
      });
    }
  });

  it.each([
    ['a control character', { 'X-Bell': 'ring\u0007' }, 'X-Bell'],
    ['DEL', { 'X-Del': 'a\u007fb' }, 'X-Del'],
    ['a character beyond Latin-1', { 'X-Name': 'Łódź' }, 'X-Name'],
    ['an emoji', { 'X-Mood': '🚀' }, 'X-Mood'],
    ['a name that is not a token', { 'X Bad': 'v' }, 'X Bad'],
    ['a name beyond ASCII', { 'X-Ünïcode': 'v' }, 'X-Ünïcode'],
  ])(
    'refuses a custom header with %s at endpoint create and update (400 naming it)',
    async (_label, headers, name) => {
      const site = await seedSite(db.dataSource);
      const bad = await call(ADMIN, 'POST', `/v1/admin/sites/${site.id}/endpoints`, {
        name: 'crm',
        url: 'http://127.0.0.1:9/hook',
        headers,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([
        { field: 'headers', message: expect.stringContaining(`'${name}'`) },
      ]);

      const made = await call(ADMIN, 'POST', `/v1/admin/sites/${site.id}/endpoints`, {
        name: 'crm',
        url: 'http://127.0.0.1:9/hook',
        // Latin-1 beyond ASCII is sendable (obs-text) and kept.
        headers: { 'X-City': 'Zürich' },
      });
      expect(made.statusCode).toBe(201);
      const changed = await call(ADMIN, 'PATCH', `/v1/admin/endpoints/${made.json<{ id: string }>().id}`, {
        headers,
      });
      expect(changed.statusCode).toBe(400);
      expect(changed.json().errors).toEqual([
        { field: 'headers', message: expect.stringContaining(`'${name}'`) },
      ]);
    },
  );
});
