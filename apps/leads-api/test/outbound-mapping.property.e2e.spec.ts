import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestDatabase,
  createTestKafka,
  seedLead,
  seedSite,
  type TestDatabase,
  type TestKafka,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

const KEY = 'lh_bootstrap_outbound_prop_key_0123456789';
const MAPPING_TIMEOUT_MS = 100;
/** A preview may take the time limit, the watchdog and a worker's restart; 15 s still catches one that never ends. */
const BOUND_MS = 15_000;

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', '🚀', "'; DROP TABLE endpoint; --", 'x'.repeat(3000)),
);

/** Outbound mappings as admins (and attackers holding an admin key) write them: valid, wrong, hostile, endless. */
const mappingArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc
    .letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(
          'lead',
          'lead.email',
          'lead.extra',
          'lead.extra.*',
          'lead.**',
          'event',
          'event_id',
          'attempt',
          'changes',
          'version',
          'site.hostname',
          '$',
          '"x"',
          '42',
          'null',
          '[1..5]',
          '[1..10000000]',
          '$pad("", 100000000)',
          '($f := function($n){ $f($n + 1) }; $f(0))',
          '$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)',
          '$eval("1+1")',
          '$error("boom")',
          '$number(lead.email)',
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
            ),
            tie('expr'),
          )
          .map(([fn, arg]) => `${fn}(${arg})`),
        fc
          .tuple(tie('expr'), fc.constantFrom(' & ', ' + ', ' = ', ' and ', ' in ', '.'), tie('expr'))
          .map(([a, op, b]) => `(${a}${op}${b})`),
        fc
          .tuple(fc.constantFrom('email', 'contact', 'id', '__proto__', 'constructor'), tie('expr'))
          .map(([k, v]) => `{ "${k}": ${v} }`),
        fc.array(tie('expr'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
      ),
    }))
    .expr.map((expr) => (expr.startsWith('{') ? expr : `{ "value": ${expr} }`)),
  hostileString,
  fc.integer({ min: 100, max: 6_000 }).map((depth) => `${'('.repeat(depth)}1${')'.repeat(depth)}`),
);

/**
 * Property-based (SPEC §14): whatever mapping and policy an admin saves or previews, the admin API answers a 2xx or a
 * well-formed 4xx, never a 5xx, within a bounded time (evaluations are stopped at their limit).
 */
describe('outbound mappings and endpoint policy never get a 5xx nor an unbounded evaluation (property-based, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let siteId: string;
  let leadId: string;
  let endpointId: string;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('outbound_prop'), createTestKafka('outbound_prop')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: KEY,
      OUTBOX_RELAY_ENABLED: 'false',
      OUTBOUND_MAPPING_TIMEOUT_MS: String(MAPPING_TIMEOUT_MS),
      ALLOW_INSECURE_WEBHOOK_URLS: 'true',
    }));
    const site = await seedSite(db.dataSource);
    siteId = site.id;
    leadId = (await seedLead(db.dataSource, site)).data.lead_id;
    const made = await admin('POST', `/v1/admin/sites/${siteId}/endpoints`, {
      name: 'crm',
      url: 'http://127.0.0.1:9/never',
      format: 'custom',
      mapping: '{"email": lead.email}',
    });
    expect(made.statusCode).toBe(201);
    endpointId = made.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  function admin(method: 'POST' | 'PATCH', url: string, payload: unknown) {
    return app.inject({
      method,
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
  }

  function expectWellFormed(status: number, body: string): void {
    expect(status).toBeLessThan(500);
    if (status < 400) return;
    const parsed = JSON.parse(body) as {
      statusCode?: number;
      message?: unknown;
      errors?: Array<{ field: unknown }>;
    };
    expect(parsed.statusCode).toBe(status);
    expect(parsed.message).toBeTruthy();
    for (const error of parsed.errors ?? []) expect(typeof error.field).toBe('string');
  }

  it('random mappings: saved or refused with a 400, and every preview (stored lead, newest lead, sample) is a bounded 200/4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        mappingArbitrary,
        fc.constantFrom('lead', 'endpoint', 'site', 'sample'),
        async (mapping, on) => {
          const saved = await admin('PATCH', `/v1/admin/endpoints/${endpointId}`, {
            format: 'custom',
            mapping,
          });
          expectWellFormed(saved.statusCode, saved.body);
          expect([200, 400]).toContain(saved.statusCode);
          const target =
            on === 'lead'
              ? { lead_id: leadId }
              : on === 'endpoint'
                ? { endpoint_id: endpointId }
                : on === 'site'
                  ? { site_id: siteId }
                  : { sample: true };
          const started = Date.now();
          const preview = await admin('POST', '/v1/admin/mappings/preview', { mapping, ...target });
          expect(Date.now() - started).toBeLessThan(BOUND_MS);
          expectWellFormed(preview.statusCode, preview.body);
          // A mapping the save took renders or fails on the lead (422); one it refused is refused by the preview
          // too (400), or, holding what only storage refuses (a NUL), fails when evaluated (422).
          expect(saved.statusCode === 400 ? [400, 422] : [200, 422]).toContain(preview.statusCode);
        },
      ),
      { numRuns: 80 },
    );
    // Each run may wait out an evaluation's limit and a worker's restart; on a loaded machine that adds up.
  }, 900_000);

  it('random endpoint settings (format, mapping, prefix, attempts, 4xx policy, description): a 2xx or a well-formed 4xx', async () => {
    const anything = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const settings = fc.record(
      {
        format: fc.oneof(fc.constantFrom('flat', 'envelope', 'custom'), anything),
        mapping: fc.oneof(mappingArbitrary, anything),
        signature_prefix: fc.oneof(fc.constantFrom('', 'sha256='), anything),
        max_attempts: fc.oneof(fc.integer({ min: -2, max: 9 }), anything),
        retry_on_4xx: fc.oneof(fc.boolean(), anything),
        description: anything,
        auth: fc.oneof(fc.constantFrom('standard_webhooks', 'secret_header', 'hmac_sha256_hex'), anything),
      },
      { requiredKeys: [] },
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(settings, fc.boolean(), async (body, create) => {
        const response = create
          ? await admin('POST', `/v1/admin/sites/${siteId}/endpoints`, {
              ...body,
              name: `p${n++}`,
              url: 'http://127.0.0.1:9/never',
            })
          : await admin('PATCH', `/v1/admin/endpoints/${endpointId}`, body);
        expectWellFormed(response.statusCode, response.body);
      }),
      { numRuns: 150 },
    );
  }, 600_000);
});
