import fc from 'fast-check';
import { parse as parseQueryString } from 'node:querystring';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestDatabase,
  createTestKafka,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
} from '@leadhooks/testing';
import { isHoneypotFilled } from '../src/intake/honeypot.js';
import { createTestLeadsApi } from './leads-api-harness.js';

const KEY = 'lh_bootstrap_property_key_0123456789';

/** Strings as hostile as clients send: any Unicode (lone surrogates, NUL, controls), long ones, empty ones. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff x',
    '🚀',
    'Ω≈ç√',
    '<script>',
    "'; DROP TABLE lead; --",
    'x'.repeat(6000),
  ),
);
const fieldName = fc.oneof(
  hostileString,
  fc.constantFrom(
    'email',
    'phone',
    'name',
    'message',
    'page_url',
    'Email',
    'interests[]',
    'First Name',
    '_gotcha',
    'utm_source',
  ),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null)), { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.constantFrom('ada@example.com', '+1 555 0100 123', 'https://acme.test/x'),
);
const leadBody = fc.dictionary(fieldName, value, { maxKeys: 12 });

/**
 * Property-based bad input: whatever a client sends, the answer is never a 5xx, a 4xx names what was wrong, and
 * nothing is half-stored (a lead without its event, or an event without its lead).
 */
describe('bad input never gets a 5xx nor leaves a partial row (property-based, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let hostname: string;
  let siteId: string;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('property'), createTestKafka('property')]);
    ({ app } = await createTestLeadsApi(db, kafka, { ADMIN_API_KEY: KEY, OUTBOX_RELAY_ENABLED: 'false' }));
    const site = await seedSite(db.dataSource, { webhookUrl: 'http://127.0.0.1:9/hook', enabled: true });
    [hostname, siteId] = [site.hostname, site.id];
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  async function counts(): Promise<{ leads: number; events: number }> {
    const [row]: Array<{ leads: number; events: number }> = await db.dataSource.query(
      `SELECT (SELECT count(*)::int FROM lead WHERE site_id = $1) AS leads,
              (SELECT count(*)::int FROM outbox o JOIN lead l ON l.id = o.aggregate_id WHERE l.site_id = $1) AS events`,
      [siteId],
    );
    return row;
  }

  function expectWellFormedError(status: number, body: string): void {
    expect(status).toBeLessThan(500);
    const parsed = JSON.parse(body) as {
      statusCode: number;
      message: unknown;
      errors?: Array<{ field: string; message: string }>;
    };
    expect(parsed.statusCode).toBe(status);
    expect(parsed.message).toBeTruthy();
    if (status === 400) {
      expect(parsed.errors?.length).toBeGreaterThan(0);
      for (const error of parsed.errors ?? []) expect(typeof error.field).toBe('string');
    }
  }

  /**
   * A filled honeypot is answered like a success and stores nothing (the bot must learn nothing). A urlencoded body
   * is read as the app's form parser reads it: a repeated field is a list (`_gotcha=!&_gotcha=` is filled).
   */
  const isBot = (payload: string, contentType: string) => {
    try {
      const body = contentType.startsWith('application/json')
        ? (JSON.parse(payload) as unknown)
        : parseQueryString(payload);
      return isHoneypotFilled(body, '_gotcha');
    } catch {
      return false;
    }
  };

  async function intakeProperty(payload: string, contentType: string): Promise<void> {
    const before = await counts();
    const response = await app.inject({
      method: 'POST',
      url: `/v1/sites/${hostname}/leads`,
      payload,
      headers: { 'content-type': contentType },
    });
    const after = await counts();
    if (response.statusCode === 201) {
      if (isBot(payload, contentType))
        expect([before, { leads: before.leads + 1, events: before.events + 1 }]).toContainEqual(after);
      else expect(after).toEqual({ leads: before.leads + 1, events: before.events + 1 });
    } else {
      expectWellFormedError(response.statusCode, response.body);
      expect(after).toEqual(before);
    }
  }

  it('intake, JSON bodies: 201 with exactly one lead and one event, or a 4xx naming the field and nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(leadBody, (body) => intakeProperty(JSON.stringify(body), 'application/json')),
      { numRuns: 150 },
    );
  });

  it('intake, urlencoded and odd bodies and content types: never a 5xx, never half-stored', async () => {
    const urlencoded = fc
      .array(fc.tuple(fieldName, fc.oneof(hostileString, fc.constantFrom('ada@example.com', '5550100123'))), {
        maxLength: 10,
      })
      .map((pairs) =>
        pairs
          .map(([k, v]) => `${encodeURIComponent(k.toWellFormed())}=${encodeURIComponent(v.toWellFormed())}`)
          .join('&'),
      );
    const raw = fc.oneof(
      urlencoded,
      fc.string({ maxLength: 200 }),
      fc.constantFrom('%00=%00', 'email=a%40b.co&email=%FF', '=&=&&', 'a[b][c]=1'),
    );
    const contentType = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=latin1',
    );
    await fc.assert(
      fc.asyncProperty(raw, contentType, (payload, type) => intakeProperty(payload, type)),
      { numRuns: 150 },
    );
  });

  it('admin API: random site bodies, ids and cursors are answered with a 2xx or a 4xx naming what was wrong', async () => {
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        payload: payload as object,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      });
    const siteBody = fc.record(
      {
        hostname: fc.oneof(hostileString, fc.domain()),
        name: value,
        zapier: fc.oneof(value, fc.record({ webhook_url: value, enabled: value }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(siteBody, hostileString, hostileString, async (body, id, cursor) => {
        for (const response of [
          await call('POST', '/v1/admin/sites', body),
          await call('PATCH', `/v1/admin/sites/${siteId}`, body),
          await call('GET', `/v1/admin/sites/${encodeURIComponent(id.toWellFormed()) || 'x'}`),
          await call('GET', `/v1/leads/${encodeURIComponent(id.toWellFormed()) || 'x'}`),
          await call(
            'GET',
            `/v1/leads?cursor=${encodeURIComponent(cursor.toWellFormed())}&since=${encodeURIComponent(id.toWellFormed())}`,
          ),
        ]) {
          if (response.statusCode >= 300) expectWellFormedError(response.statusCode, response.body);
        }
      }),
      { numRuns: 80 },
    );
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });

  it('lead PATCH: random bodies change the lead with exactly one lead.updated, change nothing, or get a 4xx naming the field', async () => {
    const site = await seedSite(db.dataSource, {});
    const lead = (await seedLead(db.dataSource, site)).data.lead_id;
    const state = async () => {
      const [row]: Array<{ version: number; events: number }> = await db.dataSource.query(
        `SELECT l.version, (SELECT count(*)::int FROM outbox o WHERE o.aggregate_id = l.id AND o.topic = 'lead.updated') AS events
           FROM lead l WHERE l.id = $1`,
        [lead],
      );
      return row;
    };
    const patchBody = fc.record(
      {
        name: value,
        email: fc.oneof(value, fc.constant(null)),
        phone: value,
        message: value,
        page_url: value,
        lead_source: value,
        extra: fc.oneof(value, fc.dictionary(fieldName, value, { maxKeys: 4 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(patchBody, async (body) => {
        const before = await state();
        const response = await admin('PATCH', `/v1/leads/${lead}`, body);
        const after = await state();
        if (response.statusCode === 200) {
          const changed = after.version === before.version + 1 && after.events === before.events + 1;
          expect(changed || (after.version === before.version && after.events === before.events)).toBe(true);
          expect(response.json<{ version: number }>().version).toBe(after.version);
        } else {
          expectWellFormedError(response.statusCode, response.body);
          expect(after).toEqual(before);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('endpoints: random settings are stored, or refused with a 4xx naming the field; never a 5xx', async () => {
    const endpointBody = fc.record(
      {
        name: fc.oneof(hostileString, fc.constantFrom('make', 'zapier', 'crm')),
        url: fc.oneof(
          value,
          fc.constantFrom('https://hook.example.com/x', 'http://127.0.0.1:9/h', 'ftp://x'),
        ),
        enabled: value,
        events: fc.oneof(value, fc.subarray(['lead.created', 'lead.updated', 'lead.deleted'])),
        auth: fc.oneof(value, fc.constantFrom('standard_webhooks', 'secret_header', 'hmac_sha256_hex')),
        format: fc.oneof(value, fc.constantFrom('flat', 'envelope')),
        headers: fc.oneof(value, fc.dictionary(fieldName, value, { maxKeys: 3 })),
        timeout_ms: fc.oneof(value, fc.integer({ min: -1, max: 40_000 })),
        rate_limit_per_second: fc.oneof(value, fc.integer({ min: -1, max: 20_000 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(endpointBody, async (body) => {
        const created = await admin('POST', `/v1/admin/sites/${siteId}/endpoints`, body);
        if (created.statusCode >= 300) expectWellFormedError(created.statusCode, created.body);
        else {
          const id = created.json<{ id: string }>().id;
          const patched = await admin('PATCH', `/v1/admin/endpoints/${id}`, body);
          if (patched.statusCode >= 300) expectWellFormedError(patched.statusCode, patched.body);
          await app.inject({
            method: 'DELETE',
            url: `/v1/admin/endpoints/${id}`,
            headers: { authorization: `Bearer ${KEY}` },
          });
        }
      }),
      { numRuns: 120 },
    );
  });
});
