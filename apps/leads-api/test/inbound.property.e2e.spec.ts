import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { findPreset } from '@leadhooks/inbound';
import {
  createTestDatabase,
  createTestKafka,
  seedSite,
  type TestDatabase,
  type TestKafka,
  TYPEFORM_FORM_RESPONSE,
} from '@leadhooks/testing';
import { InboundLog } from '../src/inbound/inbound-log.service.js';
import { createTestLeadsApi } from './leads-api-harness.js';

const KEY = 'lh_bootstrap_inbound_prop_key_0123456789';
/**
 * A request may take the mapping time limit, the watchdog and a worker's restart, never more: 15 s leaves room for a
 * machine running many times more work than it has cores, and still catches an evaluation that never ends.
 */
const MAPPING_TIMEOUT_MS = 100;
const BOUND_MS = 15_000;

/** Strings as hostile as senders make them: NUL, lone surrogates, controls, long, empty. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff x',
    '🚀',
    "'; DROP TABLE lead; --",
    'x'.repeat(3000),
  ),
);
const scalar = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('ada@example.com', '+1 555 0100 123', 'https://acme.test/x'),
);
const key = fc.oneof(
  hostileString,
  fc.constantFrom(
    'email',
    'phone',
    'name',
    'message',
    'Email',
    '__proto__',
    'constructor',
    'extra',
    'idempotency_key',
  ),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;
/** Nesting far past what any tool sends. */
const deep = fc
  .integer({ min: 50, max: 3_000 })
  .chain((depth) =>
    fc.constantFrom(
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      `{"email":"d@example.com","x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    ),
  );
const urlencoded = fc
  .array(fc.tuple(key, hostileString), { maxLength: 10 })
  .map((pairs) =>
    pairs
      .map(([k, v]) => `${encodeURIComponent(k.toWellFormed())}=${encodeURIComponent(v.toWellFormed())}`)
      .join('&'),
  );
const multipartParts = fc.array(fc.tuple(key, hostileString), { maxLength: 8 });

type Request = { payload: Buffer | string; type: string | null };

async function multipart(parts: Array<[string, string]>): Promise<Request> {
  const form = new FormData();
  for (const [name, value] of parts) form.append(name.toWellFormed(), value);
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), type: request.headers.get('content-type') };
}

const requestArbitrary: fc.Arbitrary<Request | Promise<Request>> = fc.oneof(
  jsonValue.map((value) => ({ payload: JSON.stringify(value) ?? 'null', type: 'application/json' })),
  deep.map((payload) => ({ payload, type: 'application/json' })),
  urlencoded.map((payload) => ({ payload, type: 'application/x-www-form-urlencoded' })),
  multipartParts.map((parts) => multipart(parts)),
  fc
    .tuple(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'multipart/form-data',
        'text/plain',
        'application/vnd.api+json',
        'application/x-leadhooks-captured',
        null,
      ),
    )
    .map(([bytes, type]) => ({ payload: Buffer.from(bytes), type })),
);

/** JSONata as people (and attackers) write it: paths, functions, operators, lambdas, regexes, runaway ones. */
const mappingArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc
    .letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(
          'body',
          'body.email',
          'body.*',
          'body.**',
          'body[0]',
          'headers',
          'query',
          '$',
          '$$',
          'body.form_response.answers[type="email"].email',
          '"x"',
          '42',
          'null',
          '[1..5]',
          '[1..10000000]',
          '$pad("", 100000000)',
          '($f := function($n){ $f($n + 1) }; $f(0))',
          '$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)',
          '$eval("1+1")',
          '$parseJson("{")',
          '$parseJson(body.raw)',
          '$map([1..99999], function($i){ $map([1..99999], function($j){ $i * $j }) })',
        ),
        fc
          .tuple(
            fc.constantFrom(
              '$string',
              '$number',
              '$length',
              '$uppercase',
              '$keys',
              '$count',
              '$sum',
              '$split',
              '$sort',
            ),
            tie('expr'),
          )
          .map(([fn, arg]) => `${fn}(${arg})`),
        fc
          .tuple(tie('expr'), fc.constantFrom(' & ', ' + ', ' = ', ' and ', ' in ', '.'), tie('expr'))
          .map(([a, op, b]) => `(${a}${op}${b})`),
        fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
        fc
          .tuple(fc.constantFrom('email', 'phone', 'name', 'extra', 'idempotency_key', 'other'), tie('expr'))
          .map(([k, v]) => `{ "${k}": ${v} }`),
        fc.array(tie('expr'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
      ),
    }))
    .expr.map((expr) => (expr.startsWith('{') ? expr : `{ "email": ${expr}, "extra": { "v": ${expr} } }`)),
  fc.string({ maxLength: 60 }),
  fc.integer({ min: 100, max: 6_000 }).map((depth) => `${'('.repeat(depth)}1${')'.repeat(depth)}`),
);

/**
 * Property-based: whatever a tool (or anyone holding a source's URL) sends and whatever mapping a source's owner
 * writes, the answer is a 2xx or a well-formed 4xx, never a 5xx; it comes within a bounded time (mappings are
 * stopped at their limit); a lead is stored with its event or not at all; and every request leaves a log line.
 */
describe('inbound bodies and mappings never get a 5xx nor an unbounded evaluation (property-based, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let siteId: string;
  let custom: { id: string; token: string };
  let typeform: { id: string; token: string };

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('inbound_prop'), createTestKafka('inbound_prop')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: KEY,
      OUTBOX_RELAY_ENABLED: 'false',
      INBOUND_RATE_LIMIT_PER_SOURCE_PER_SECOND: '0',
      INBOUND_MAPPING_TIMEOUT_MS: String(MAPPING_TIMEOUT_MS),
      INBOUND_BODY_LIMIT_BYTES: String(32 * 1024),
    }));
    siteId = (await seedSite(db.dataSource)).id;
    custom = await createSource({ name: 'custom', preset: 'custom' });
    typeform = await createSource({ name: 'typeform', preset: 'typeform' });
    // Starting a Nest app with its Kafka client takes a minute and more on a machine starved of CPU.
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  const admin = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${KEY}` } });

  async function createSource(body: object): Promise<{ id: string; token: string }> {
    const made = await admin('POST', `/v1/admin/sites/${siteId}/sources`, body);
    expect(made.statusCode).toBe(201);
    return made.json();
  }

  async function counts(sourceId: string): Promise<{ leads: number; events: number; lines: number }> {
    await app.get(InboundLog).flushed();
    const [row]: Array<{ leads: number; events: number; lines: number }> = await db.dataSource.query(
      `SELECT (SELECT count(*)::int FROM lead WHERE site_id = $1) AS leads,
              (SELECT count(*)::int FROM outbox o JOIN lead l ON l.id = o.aggregate_id WHERE l.site_id = $1) AS events,
              (SELECT count(*)::int FROM inbound_request WHERE source_id = $2) AS lines`,
      [siteId, sourceId],
    );
    return row;
  }

  function expectWellFormed(status: number, body: string): void {
    expect(status).toBeLessThan(500);
    const parsed = JSON.parse(body) as {
      statusCode?: number;
      message?: unknown;
      errors?: Array<{ field: unknown }>;
    };
    if (status >= 400) {
      expect(parsed.statusCode).toBe(status);
      expect(parsed.message).toBeTruthy();
      for (const error of parsed.errors ?? []) expect(typeof error.field).toBe('string');
    } else {
      expect(parsed).toEqual({ id: expect.any(String), zapier_status: expect.any(String) });
    }
  }

  async function sendAndCheck(source: { id: string; token: string }, request: Request): Promise<void> {
    const before = await counts(source.id);
    const started = Date.now();
    const response = await app.inject({
      method: 'POST',
      url: `/v1/inbound/${source.token}`,
      payload: request.payload,
      headers: request.type ? { 'content-type': request.type } : {},
    });
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expectWellFormed(response.statusCode, response.body);
    const after = await counts(source.id);
    expect(after.lines).toBe(before.lines + 1);
    if (response.statusCode === 201 && !response.headers['idempotent-replayed'])
      expect(after).toMatchObject({ leads: before.leads + 1, events: before.events + 1 });
    else expect(after).toMatchObject({ leads: before.leads, events: before.events });
  }

  it('random bodies of every type (NUL, lone surrogates, deep nesting, broken multipart) to a custom and a Typeform source', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, fc.boolean(), async (request, toTypeform) =>
        sendAndCheck(toTypeform ? typeform : custom, await request),
      ),
      { numRuns: 200 },
    );
  });

  it('random mappings: refused with a 400 when saved, or every request through them is a bounded 2xx/4xx', async () => {
    const sandbox = await createSource({ name: 'sandbox' });
    const body = fc.oneof(
      fc.constant({ payload: JSON.stringify(TYPEFORM_FORM_RESPONSE), type: 'application/json' }),
      jsonValue.map((value) => ({ payload: JSON.stringify(value) ?? 'null', type: 'application/json' })),
    );
    await fc.assert(
      fc.asyncProperty(mappingArbitrary, body, async (mapping, request) => {
        const saved = await admin('PATCH', `/v1/admin/sources/${sandbox.id}`, { mapping });
        if (saved.statusCode !== 200) {
          expect(saved.statusCode).toBe(400);
          expectWellFormed(saved.statusCode, saved.body);
          return;
        }
        await sendAndCheck(sandbox, request);
        const started = Date.now();
        const preview = await admin('POST', `/v1/admin/sources/${sandbox.id}/preview`, {
          sample: { body: JSON.parse(request.payload) as unknown },
        });
        expect(Date.now() - started).toBeLessThan(BOUND_MS);
        // 400: the admin API refuses a JSON body holding `__proto__` keys (Fastify's poisoning guard).
        expect([200, 400]).toContain(preview.statusCode);
        if (preview.statusCode === 400) expectWellFormed(preview.statusCode, preview.body);
      }),
      { numRuns: 120 },
    );
  });

  it('the presets themselves on random bodies: never a 5xx', async () => {
    const sources = await Promise.all(
      ['tally', 'jotform', 'webflow', 'gravity_forms'].map((preset) =>
        createSource({ name: `random ${preset}`, preset, signature: findPreset(preset)!.signature }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        requestArbitrary,
        fc.integer({ min: 0, max: sources.length - 1 }),
        async (request, index) => sendAndCheck(sources[index], await request),
      ),
      { numRuns: 120 },
    );
  });
});
