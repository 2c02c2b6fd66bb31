import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LeadEntity, OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  seedSite,
  type TestDatabase,
  type TestKafka,
} from '@leadhooks/testing';
import { getStorageToken } from '@nestjs/throttler';
import { IntakeThrottlerStorage } from '../src/intake/intake-throttler.storage.js';
import { createTestLeadsApi } from './leads-api-harness.js';

describe('leads-api intake rules (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('intakerules'), createTestKafka('intakerules')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      BODY_LIMIT_BYTES: '2048',
      RATE_LIMIT_PER_IP_PER_MINUTE: '0',
      OUTBOX_RELAY_ENABLED: 'false',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  const post = (
    hostname: string,
    payload: string | object,
    headers: Record<string, string> = {},
    query = '',
  ) =>
    app.inject({
      method: 'POST',
      url: `/v1/sites/${hostname}/leads${query}`,
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const leadsOf = (siteId: string) => db.dataSource.getRepository(LeadEntity).countBy({ siteId });

  it('answers 413 for an oversize body and stores nothing', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, { email: 'a@example.com', message: 'x'.repeat(4000) });
    expect(response.statusCode).toBe(413);
    expect(await leadsOf(site.id)).toBe(0);
  });

  it('answers 415 for an unsupported content type', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, '<lead/>', { 'content-type': 'application/xml' });
    expect(response.statusCode).toBe(415);
  });

  it('keeps extra fields bounded: too many or nested are 400s naming the field; long scalars within limits are kept', async () => {
    const site = await seedSite(db.dataSource);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, 'v']));
    expect((await post(site.hostname, { email: 'a@example.com', ...many })).statusCode).toBe(400);
    const long = await post(site.hostname, {
      email: 'a@example.com',
      note: 'y'.repeat(1500),
      other: 'z'.repeat(100),
    });
    expect(long.statusCode).toBe(201);
    const nested = await post(site.hostname, { email: 'a@example.com', utm: { source: 'x' } });
    expect(nested.statusCode).toBe(400);
    expect(nested.json<{ errors: Array<{ field: string }> }>().errors[0].field).toBe('utm');
  });

  it('returns the first lead for a repeated Idempotency-Key: no second lead, no second event', async () => {
    const site = await seedSite(db.dataSource);
    const headers = { 'idempotency-key': 'form-123' };
    const first = await post(site.hostname, { email: 'a@example.com' }, headers);
    const again = await post(site.hostname, { email: 'a@example.com' }, headers);
    expect(first.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await leadsOf(site.id)).toBe(1);
    expect(
      await db.dataSource
        .getRepository(OutboxMessageEntity)
        .countBy({ aggregateId: first.json<{ id: string }>().id }),
    ).toBe(1);
  });

  it('makes one lead of two concurrent requests with the same Idempotency-Key', async () => {
    const site = await seedSite(db.dataSource);
    const headers = { 'idempotency-key': 'race-1' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(site.hostname, { email: 'a@example.com' }, headers)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.json<{ id: string }>().id)).size).toBe(1);
    expect(await leadsOf(site.id)).toBe(1);
    expect(
      await db.dataSource
        .getRepository(OutboxMessageEntity)
        .count({ where: { aggregateId: answers[0].json<{ id: string }>().id } }),
    ).toBe(1);
  });

  it('group-commits a burst: every request gets its own lead and exactly one event; a bad lead in a batch fails alone', async () => {
    const site = await seedSite(db.dataSource);
    await db.dataSource.query(`
      CREATE FUNCTION refuse_explosive_lead() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.message = 'explode' THEN RAISE EXCEPTION 'lead insert failed on purpose'; END IF;
        RETURN NEW;
      END $$`);
    await db.dataSource.query(
      `CREATE TRIGGER refuse_explosive_lead BEFORE INSERT ON lead FOR EACH ROW EXECUTE FUNCTION refuse_explosive_lead()`,
    );
    let answers;
    try {
      answers = await Promise.all(
        Array.from({ length: 61 }, (_, i) =>
          post(
            site.hostname,
            { email: `burst${i}@example.com`, message: i === 30 ? 'explode' : `lead ${i}` },
            { 'idempotency-key': `burst-${i}` },
          ),
        ),
      );
    } finally {
      await db.dataSource.query(
        `DROP TRIGGER refuse_explosive_lead ON lead; DROP FUNCTION refuse_explosive_lead()`,
      );
    }
    expect(answers[30].statusCode).toBe(500);
    answers.splice(30, 1);
    expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 60 }, () => 201));
    const ids = answers.map((a) => a.json<{ id: string }>().id);
    expect(new Set(ids).size).toBe(60);
    const stored = await db.dataSource.getRepository(LeadEntity).findBy({ siteId: site.id });
    expect(stored.map((lead) => lead.id).sort()).toEqual([...ids].sort());
    for (const [i, id] of ids.entries())
      expect(stored.find((lead) => lead.id === id)?.email).toBe(`burst${i < 30 ? i : i + 1}@example.com`);
    const events: Array<{ aggregate_id: string; n: number }> = await db.dataSource.query(
      `SELECT aggregate_id, count(*)::int AS n FROM outbox WHERE aggregate_id = ANY($1::uuid[]) GROUP BY aggregate_id`,
      [ids],
    );
    expect(events).toHaveLength(60);
    expect(events.every((row) => row.n === 1)).toBe(true);
  });

  it('answers a bot that fills the honeypot with a normal-looking 201 and stores nothing', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, 'email=bot%40spam.test&_gotcha=http%3A%2F%2Fspam', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ id: expect.any(String), zapier_status: 'PENDING' });
    expect(await leadsOf(site.id)).toBe(0);
  });

  it('redirects a plain HTML form to a page on the site (303), and refuses foreign redirects (400) without storing', async () => {
    const site = await seedSite(db.dataSource, { hostname: 'redirect.test' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await post(
      site.hostname,
      'email=a%40example.com',
      form,
      '?redirect=https%3A%2F%2Fwww.redirect.test%2Fthanks',
    );
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('https://www.redirect.test/thanks');
    const evil = await post(
      site.hostname,
      'email=a%40example.com',
      form,
      '?redirect=https%3A%2F%2Fevil.test%2F',
    );
    expect(evil.statusCode).toBe(400);
    expect(await leadsOf(site.id)).toBe(1);
  });

  it("allows CORS from the site's own origin only", async () => {
    const site = await seedSite(db.dataSource, { hostname: 'cors.test' });
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: `/v1/sites/${site.hostname}/leads`,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    expect((await preflight('https://www.cors.test')).headers['access-control-allow-origin']).toBe(
      'https://www.cors.test',
    );
    expect((await preflight('https://evil.test')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the OpenAPI document and Prometheus metrics', async () => {
    const doc = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/sites/{hostname}/leads',
        '/v1/admin/sites',
        '/v1/leads/{id}',
        '/v1/leads/{id}/redeliver',
        '/v1/sites/{id}/zapier/test',
      ]),
    );
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('leadhooks_leads_accepted_total');
    expect(metrics.body).toContain('leadhooks_outbox_backlog');
    expect(metrics.body).toMatch(
      /leadhooks_http_requests_total\{method="POST",route="\/v1\/sites\/:hostname\/leads",status="201"/,
    );
  });

  it('keeps metric label sets bounded: invented hostnames, paths and ids add no series', async () => {
    const series = async () =>
      (await app.inject({ method: 'GET', url: '/metrics' })).body
        .split('\n')
        .filter((line) => /^leadhooks_http_request/.test(line)).length;
    const hit = (i: number) =>
      Promise.all([
        post(`invented-${i}.test`, { email: 'a@example.com' }),
        app.inject({ method: 'GET', url: `/no/such/path/${i}?q=${i}` }),
        app.inject({ method: 'GET', url: `/v1/leads/${i}` }),
      ]);
    await hit(0);
    await series(); // the scrape itself is counted from the next one on
    const before = await series();
    for (let i = 1; i <= 50; i++) await hit(i);
    expect(await series()).toBe(before);
  });
});

describe('leads-api rate limits', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('ratelimit'), createTestKafka('ratelimit')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      RATE_LIMIT_PER_IP_PER_MINUTE: '6',
      OUTBOX_RELAY_ENABLED: 'false',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  it('answers 429 with Retry-After once a client IP exceeds its budget', async () => {
    const site = await seedSite(db.dataSource);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 8; i++) {
      const response = await app.inject({
        method: 'POST',
        url: `/v1/sites/${site.hostname}/leads`,
        payload: { email: `a${i}@example.com` },
        remoteAddress: '203.0.113.9',
      });
      statuses.push(response.statusCode);
      retryAfter ??= response.headers['retry-after'];
    }
    // RATE_LIMIT_PER_IP_PER_MINUTE=6: a burst of six, then 429 until a token refills (one every 10 s).
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('keeps at most RATE_LIMIT_MAX_KEYS budgets however many client IPs and invented hostnames post', async () => {
    // One post a minute per IP: every IP's bucket stays spent (remembered) for a minute, so 300 of them within
    // that minute would all be kept but for the bound.
    const { app: limited } = await createTestLeadsApi(db, kafka, {
      RATE_LIMIT_PER_IP_PER_MINUTE: '1',
      RATE_LIMIT_PER_SITE_PER_SECOND: '1000',
      RATE_LIMIT_MAX_KEYS: '100',
      OUTBOX_RELAY_ENABLED: 'false',
    });
    try {
      const storage = limited.get<IntakeThrottlerStorage>(getStorageToken());
      expect(storage).toBeInstanceOf(IntakeThrottlerStorage);
      let largest = 0;
      const statuses = new Set<number>();
      for (let batch = 0; batch < 6; batch++) {
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            limited.inject({
              method: 'POST',
              url: `/v1/sites/flood-${batch}-${i}.invalid/leads`,
              payload: { email: 'a@example.com' },
              // IPv4: the throttler counts an IPv6 client by its /64 subnet, so these would be one key.
              remoteAddress: `198.18.${batch}.${i + 1}`,
            }),
          ),
        );
        for (const response of responses) statuses.add(response.statusCode);
        largest = Math.max(largest, storage.buckets.size);
      }
      expect(largest).toBe(100);
      // Each IP posted once (within its budget); each invented hostname is an unknown site.
      expect([...statuses]).toEqual([404]);
    } finally {
      await limited.close();
    }
  });
});
