import { createHmac } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestDatabase,
  createTestKafka,
  GRAVITY_FORMS_ENTRY,
  jotformSubmissionParts,
  seedSite,
  TALLY_FORM_RESPONSE,
  type TestDatabase,
  type TestKafka,
  TYPEFORM_FORM_RESPONSE,
  WEBFLOW_FORM_SUBMISSION,
} from '@leadhooks/testing';
import { InboundLog } from '../src/inbound/inbound-log.service.js';
import { RetentionSweeper } from '../src/retention/retention-sweep.service.js';
import { createTestLeadsApi } from './leads-api-harness.js';

const ADMIN = 'lh_bootstrap_inbound_key_0123456789';

interface Source {
  id: string;
  name: string;
  token?: string;
  token_hint: string;
  url: string;
  mapping: string;
  signature: string;
  has_secret: boolean;
}

interface LoggedRequest {
  id: string;
  status: number;
  lead_id: string | null;
  replayed: boolean;
  error: string | null;
  errors: Array<{ field: string; message: string }> | null;
  content_type: string | null;
  size_bytes: number;
  headers: Record<string, string>;
  body: string | null;
  body_format: string | null;
}

/** Bytes and Content-Type of a form body, as a browser-like client encodes it. */
async function multipart(parts: Array<[string, string]>): Promise<{ payload: Buffer; type: string }> {
  const form = new FormData();
  for (const [key, value] of parts) form.append(key, value);
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), type: request.headers.get('content-type')! };
}

/**
 * Inbound sources on a real leads-api (Fastify in-process, real Postgres and Kafka): made from presets, fed with
 * each tool's documented payload, signatures required when a secret is set, every refusal a 4xx naming what was
 * wrong, one lead per submission id, and a request log that keeps each request without its credentials.
 */
describe('inbound sources (SPEC §14, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('inbound'), createTestKafka('inbound')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: ADMIN,
      OUTBOX_RELAY_ENABLED: 'false',
      PUBLIC_BASE_URL: 'https://leads.example.com',
      INBOUND_BODY_LIMIT_BYTES: String(64 * 1024),
      INBOUND_RATE_LIMIT_PER_SOURCE_PER_SECOND: '0',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${ADMIN}` } });

  const post = (
    token: string,
    payload: string | Buffer,
    type: string | null,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method: 'POST',
      url: `/v1/inbound/${token}`,
      payload,
      headers: { ...(type ? { 'content-type': type } : {}), ...headers },
    });

  async function newSource(
    body: Record<string, unknown>,
  ): Promise<Source & { token: string; siteId: string }> {
    const site = await seedSite(db.dataSource);
    const made = await admin('POST', `/v1/admin/sites/${site.id}/sources`, body);
    expect(made.statusCode).toBe(201);
    return { ...made.json<Source & { token: string }>(), siteId: site.id };
  }

  async function logOf(sourceId: string): Promise<LoggedRequest[]> {
    await app.get(InboundLog).flushed();
    const page = await admin('GET', `/v1/admin/sources/${sourceId}/requests?limit=100`);
    expect(page.statusCode).toBe(200);
    return page.json<{ items: LoggedRequest[] }>().items;
  }

  const typeformSignature = (secret: string, body: string) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

  it('makes a source from a preset: the token and URL once, a hash at rest, masked everywhere else', async () => {
    const source = await newSource({ name: 'Typeform contact', preset: 'typeform', secret: 'tf-secret-123' });
    expect(source.token).toMatch(/^lhin_[A-Za-z0-9_-]{43}$/);
    expect(source.url).toBe(`https://leads.example.com/v1/inbound/${source.token}`);
    expect(source).toMatchObject({ signature: 'typeform', has_secret: true });
    expect(JSON.stringify(source)).not.toContain('tf-secret-123');

    for (const shown of [
      await admin('GET', `/v1/admin/sources/${source.id}`),
      await admin('GET', `/v1/admin/sites/${source.siteId}/sources`),
    ]) {
      expect(shown.statusCode).toBe(200);
      expect(shown.body).not.toContain(source.token);
      expect(shown.body).not.toContain('tf-secret-123');
      expect(shown.body).toContain(source.token_hint);
    }
    const [row] = await db.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT * FROM inbound_source WHERE id = $1`,
      [source.id],
    );
    const stored = JSON.stringify(row, (_key, value: unknown) =>
      Buffer.isBuffer(value) ? value.toString('hex') : value,
    );
    expect(stored).not.toContain(source.token);
    expect(stored).not.toContain(source.token.slice(5, 30));
    expect(row.secret).toMatch(/^enc:v2:/);
  });

  it('refuses a mapping that does not parse with a 400 naming its position, and a secret without a scheme', async () => {
    const site = await seedSite(db.dataSource);
    const bad = await admin('POST', `/v1/admin/sites/${site.id}/sources`, {
      name: 'broken',
      mapping: '{ "email": body.email ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      errors: [{ field: 'mapping', position: expect.any(Number), message: expect.stringMatching(/at \d+/) }],
    });
    const noScheme = await admin('POST', `/v1/admin/sites/${site.id}/sources`, {
      name: 'jotform',
      preset: 'jotform',
      secret: 'some-secret-1',
    });
    expect(noScheme.statusCode).toBe(400);
    expect(noScheme.json()).toMatchObject({ errors: [{ field: 'signature' }] });
  });

  it('turns a signed Typeform request into a lead stored with its event, like a form lead', async () => {
    const source = await newSource({ name: 'Typeform signup', preset: 'typeform', secret: 'tf-secret-456' });
    const body = JSON.stringify(TYPEFORM_FORM_RESPONSE);
    const res = await post(source.token, body, 'application/json', {
      'typeform-signature': typeformSignature('tf-secret-456', body),
      'user-agent': 'Typeform Webhooks',
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json<{ id: string; zapier_status: string }>();
    const [lead] = await db.dataSource.query<
      Array<{
        name: string;
        email: string;
        lead_source: string;
        form_type: string;
        extra: Record<string, unknown>;
        user_agent: string;
      }>
    >(`SELECT * FROM lead WHERE id = $1`, [id]);
    expect(lead).toMatchObject({
      name: 'Laura',
      email: 'laura@example.com',
      lead_source: 'Typeform signup',
      form_type: 'Webhooks example',
      user_agent: 'Typeform Webhooks',
    });
    expect(lead.extra).toMatchObject({ readable_ref_multiple_choice: 'London', score: 9 });
    const events = await db.dataSource.query<Array<{ event_type: string }>>(
      `SELECT event_type FROM outbox WHERE aggregate_id = $1`,
      [id],
    );
    expect(events).toEqual([{ event_type: 'lead.created' }]);
  });

  it('requires the signature when the source has a secret: missing or wrong is a 401, logged', async () => {
    const source = await newSource({ name: 'Signed', preset: 'typeform', secret: 'tf-secret-789' });
    const body = JSON.stringify(TYPEFORM_FORM_RESPONSE);
    const missing = await post(source.token, body, 'application/json');
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({
      errors: [{ field: 'signature', message: expect.stringContaining('missing') }],
    });
    const wrong = await post(source.token, body, 'application/json', {
      'typeform-signature': typeformSignature('not-the-secret', body),
    });
    expect(wrong.statusCode).toBe(401);
    const tampered = await post(source.token, body.replace('laura@', 'mallory@'), 'application/json', {
      'typeform-signature': typeformSignature('tf-secret-789', body),
    });
    expect(tampered.statusCode).toBe(401);
    const log = await logOf(source.id);
    expect(log.map((line) => line.status)).toEqual([401, 401, 401]);
    expect(log.every((line) => !('typeform-signature' in line.headers))).toBe(true);
    expect(log[0].headers['content-type']).toBe('application/json');
    expect(await db.dataSource.query(`SELECT 1 FROM lead WHERE site_id = $1`, [source.siteId])).toEqual([]);
  });

  it('makes one lead per submission id: a repeat gets the same answer and no second lead or event', async () => {
    const source = await newSource({ name: 'Repeats', preset: 'typeform' });
    const body = JSON.stringify(TYPEFORM_FORM_RESPONSE);
    const first = await post(source.token, body, 'application/json');
    const again = await post(source.token, body, 'application/json');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const [{ leads, events }] = await db.dataSource.query<Array<{ leads: number; events: number }>>(
      `SELECT (SELECT count(*)::int FROM lead WHERE site_id = $1) AS leads,
              (SELECT count(*)::int FROM outbox o JOIN lead l ON l.id = o.aggregate_id WHERE l.site_id = $1) AS events`,
      [source.siteId],
    );
    expect({ leads, events }).toEqual({ leads: 1, events: 1 });
    const log = await logOf(source.id);
    expect(log.map((line) => [line.status, line.replayed, line.lead_id])).toEqual([
      [201, true, first.json<{ id: string }>().id],
      [201, false, first.json<{ id: string }>().id],
    ]);
  });

  it('answers 422 naming the field and why when a body does not map to a valid lead, and logs it', async () => {
    const source = await newSource({ name: 'Custom', preset: 'custom' });
    const invalidEmail = await post(
      source.token,
      JSON.stringify({ email: 'not an address' }),
      'application/json',
    );
    expect(invalidEmail.statusCode).toBe(422);
    expect(invalidEmail.json()).toMatchObject({
      message: expect.stringContaining('email:'),
      errors: [{ field: 'email', message: expect.stringContaining('valid email address') }],
    });
    const neither = await post(source.token, 'name=Ada&plan=pro', 'application/x-www-form-urlencoded');
    expect(neither.statusCode).toBe(422);
    expect(neither.json()).toMatchObject({
      errors: [{ field: 'email or phone', message: expect.stringContaining('at least one is required') }],
    });
    const nested = await post(
      source.token,
      JSON.stringify({ email: 'a@example.com', address: { city: 'X' } }),
      'application/json',
    );
    expect(nested.statusCode).toBe(422);
    expect(nested.json()).toMatchObject({ errors: [{ field: 'extra.address' }] });

    const failing = await newSource({ name: 'Failing mapping', mapping: '{ "email": $number(body.email) }' });
    const evaluation = await post(failing.token, JSON.stringify({ email: 'x' }), 'application/json');
    expect(evaluation.statusCode).toBe(422);
    expect(evaluation.json()).toMatchObject({ errors: [{ field: 'mapping', position: expect.any(Number) }] });
    const wrongField = await newSource({ name: 'Typo', mapping: '{ "emial": body.email }' });
    const typo = await post(wrongField.token, JSON.stringify({ email: 'a@example.com' }), 'application/json');
    expect(typo.statusCode).toBe(422);
    expect(typo.json()).toMatchObject({
      errors: [{ field: 'emial', message: expect.stringContaining('not a lead field') }],
    });

    const log = await logOf(source.id);
    expect(log.map((line) => [line.status, line.errors?.[0]?.field])).toEqual([
      [422, 'extra.address'],
      [422, 'email or phone'],
      [422, 'email'],
    ]);
    expect(log[2].body).toBe(JSON.stringify({ email: 'not an address' }));
  });

  it('answers 404, 413, 415 and 400 for what cannot be a request to a source, logging all but the unknown URL', async () => {
    expect((await post('lhin_' + 'x'.repeat(43), '{}', 'application/json')).statusCode).toBe(404);
    expect((await post('not-a-token', '{}', 'application/json')).statusCode).toBe(404);
    const source = await newSource({ name: 'Limits' });
    const huge = await post(
      source.token,
      JSON.stringify({ email: 'a@example.com', pad: 'x'.repeat(70_000) }),
      'application/json',
    );
    expect(huge.statusCode).toBe(413);
    const text = await post(source.token, 'email=a@example.com', 'text/plain');
    expect(text.statusCode).toBe(415);
    const noType = await post(source.token, 'email=a@example.com', null);
    expect(noType.statusCode).toBe(415);
    const broken = await post(source.token, '{"email": ', 'application/json');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({
      errors: [{ field: 'body', message: expect.stringContaining('not valid JSON') }],
    });
    const deep = await post(source.token, `${'['.repeat(5_000)}${']'.repeat(5_000)}`, 'application/json');
    expect(deep.statusCode).toBe(400);
    const malformedMultipart = await post(
      source.token,
      '--x\r\nnot a part',
      'multipart/form-data; boundary=x',
    );
    expect(malformedMultipart.statusCode).toBe(400);
    const log = await logOf(source.id);
    expect(log.map((line) => line.status)).toEqual([400, 400, 400, 415, 415, 413]);
    expect(log.filter((line) => line.status === 415)).toEqual([
      expect.objectContaining({ content_type: null, body: 'email=a@example.com', body_format: 'raw' }),
      expect.objectContaining({
        content_type: 'text/plain',
        body: 'email=a@example.com',
        body_format: 'raw',
      }),
    ]);
  });

  it('reads each preset tool’s documented request through the route: Tally, Webflow, Jotform, Gravity Forms', async () => {
    const tally = await newSource({ name: 'Tally', preset: 'tally', secret: 'tally-secret-1' });
    const tallyBody = JSON.stringify(TALLY_FORM_RESPONSE);
    const tallyRes = await post(tally.token, tallyBody, 'application/json', {
      'tally-signature': createHmac('sha256', 'tally-secret-1').update(tallyBody).digest('base64'),
      'user-agent': 'Tally Webhooks',
    });
    expect(tallyRes.statusCode).toBe(201);

    const webflow = await newSource({ name: 'Webflow', preset: 'webflow', secret: 'webflow-secret-1' });
    const webflowBody = JSON.stringify(WEBFLOW_FORM_SUBMISSION);
    const sign = (timestamp: string) =>
      createHmac('sha256', 'webflow-secret-1').update(`${timestamp}:${webflowBody}`).digest('hex');
    const now = String(Date.now());
    const stale = String(Date.now() - 10 * 60_000);
    const staleRes = await post(webflow.token, webflowBody, 'application/json', {
      'x-webflow-timestamp': stale,
      'x-webflow-signature': sign(stale),
    });
    expect(staleRes.statusCode).toBe(401);
    expect(staleRes.json<{ message: string }>().message).toContain('from now');
    const webflowRes = await post(webflow.token, webflowBody, 'application/json', {
      'x-webflow-timestamp': now,
      'x-webflow-signature': sign(now),
    });
    expect(webflowRes.statusCode).toBe(201);

    const jotform = await newSource({ name: 'Jotform', preset: 'jotform' });
    const form = await multipart(jotformSubmissionParts(jotform.url));
    const jotformRes = await post(jotform.token, form.payload, form.type);
    expect(jotformRes.statusCode).toBe(201);

    const gravity = await newSource({ name: 'Gravity', preset: 'gravity_forms', secret: 'gravity-secret-1' });
    const gravityBody = JSON.stringify(GRAVITY_FORMS_ENTRY);
    expect((await post(gravity.token, gravityBody, 'application/json')).statusCode).toBe(401);
    const gravityRes = await post(gravity.token, gravityBody, 'application/json', {
      'x-webhook-secret': 'gravity-secret-1',
    });
    expect(gravityRes.statusCode).toBe(201);

    const leads = await db.dataSource.query<
      Array<{ id: string; name: string | null; email: string; phone: string | null }>
    >(`SELECT id, name, email, phone FROM lead WHERE id = ANY($1) ORDER BY email`, [
      [tallyRes, webflowRes, jotformRes, gravityRes].map((res) => res.json<{ id: string }>().id),
    ]);
    expect(leads.map(({ name, email, phone }) => ({ name, email, phone }))).toEqual([
      { name: null, email: 'alice@example.com', phone: '+32491223344' },
      { name: 'Ben Ridley', email: 'ben@example.com', phone: '(555) 555-1212' },
      { name: 'Kin Lane', email: 'kin@example.com', phone: '(555) 555-0101' },
      { name: 'Zaphod Beeblebrox', email: 'zaphod@heartofgold.ai', phone: '15550000000' },
    ]);
    // Jotform echoes the URL it posts to; the token never reaches the log.
    const [jotformLine] = await logOf(jotform.id);
    expect(jotformLine.body).toContain('[source token]');
    expect(jotformLine.body).not.toContain(jotform.token);
    const [gravityLine] = await logOf(gravity.id);
    expect(gravityLine.headers).not.toHaveProperty('x-webhook-secret');
  });

  it('pages the request log newest first with a cursor', async () => {
    const source = await newSource({ name: 'Paged' });
    for (let i = 0; i < 5; i++)
      expect(
        (await post(source.token, JSON.stringify({ email: `p${i}@example.com` }), 'application/json'))
          .statusCode,
      ).toBe(201);
    await app.get(InboundLog).flushed();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await admin(
        'GET',
        `/v1/admin/sources/${source.id}/requests?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const json = page.json<{ items: LoggedRequest[]; next_cursor: string | null }>();
      seen.push(...json.items.map((line) => JSON.parse(line.body!).email as string));
      cursor = json.next_cursor;
    } while (cursor);
    expect(seen).toEqual([
      'p4@example.com',
      'p3@example.com',
      'p2@example.com',
      'p1@example.com',
      'p0@example.com',
    ]);
  });

  it('previews a mapping on the last request, on a named one or on a sample, storing nothing', async () => {
    const source = await newSource({ name: 'Preview', preset: 'webflow' });
    const none = await admin('POST', `/v1/admin/sources/${source.id}/preview`, {});
    expect(none.statusCode).toBe(404);
    expect(
      (await post(source.token, JSON.stringify(WEBFLOW_FORM_SUBMISSION), 'application/json')).statusCode,
    ).toBe(201);
    await app.get(InboundLog).flushed();
    const last = await admin('POST', `/v1/admin/sources/${source.id}/preview`, {});
    expect(last.statusCode).toBe(200);
    expect(last.json()).toMatchObject({
      valid: true,
      errors: [],
      lead: {
        name: 'Zaphod Beeblebrox',
        email: 'zaphod@heartofgold.ai',
        idempotency_key: '6321ca84df3949bfc6752327',
      },
    });
    const edited = await admin('POST', `/v1/admin/sources/${source.id}/preview`, {
      mapping: '{ "email": body.payload.data."Last Name" }',
      request_id: last.json<{ request_id: string }>().request_id,
    });
    expect(edited.json()).toMatchObject({
      valid: false,
      mapped: { email: 'Beeblebrox' },
      errors: [{ field: 'email' }],
    });
    const syntax = await admin('POST', `/v1/admin/sources/${source.id}/preview`, { mapping: '{ "a": ' });
    expect(syntax.json()).toMatchObject({
      valid: false,
      errors: [{ field: 'mapping', position: expect.any(Number) }],
    });
    const typed = await admin('POST', `/v1/admin/sources/${source.id}/preview`, {
      mapping: '{ "email": body.payload.data.email, "extra": { "type": headers."content-type" } }',
    });
    expect(typed.json()).toMatchObject({ lead: { extra: { type: 'application/json' } } });
    const sample = await admin('POST', `/v1/admin/sources/${source.id}/preview`, {
      mapping: '{ "phone": body.tel, "extra": { "q": query.ref } }',
      sample: { body: { tel: '+44 20 7946 0000' }, query: { ref: 'ad-7', token: 'hidden' } },
    });
    expect(sample.json()).toMatchObject({
      valid: true,
      request_id: null,
      lead: { phone: '+44 20 7946 0000', extra: { q: 'ad-7' } },
    });
    const [{ count }] = await db.dataSource.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM lead WHERE site_id = $1`,
      [source.siteId],
    );
    expect(count).toBe(1);
  });

  it('rotates the token (the old URL stops at once) and deletes a source with its log', async () => {
    const source = await newSource({ name: 'Rotated' });
    const rotated = await admin('POST', `/v1/admin/sources/${source.id}/rotate-token`);
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json<Source & { token: string }>().token;
    expect(fresh).not.toBe(source.token);
    expect(
      (await post(source.token, JSON.stringify({ email: 'r@example.com' }), 'application/json')).statusCode,
    ).toBe(404);
    expect(
      (await post(fresh, JSON.stringify({ email: 'r@example.com' }), 'application/json')).statusCode,
    ).toBe(201);
    expect((await admin('DELETE', `/v1/admin/sources/${source.id}`)).statusCode).toBe(204);
    expect(
      (await post(fresh, JSON.stringify({ email: 'r@example.com' }), 'application/json')).statusCode,
    ).toBe(404);
    expect((await admin('GET', `/v1/admin/sources/${source.id}/requests`)).statusCode).toBe(404);
  });

  it('keeps sources for admin keys: a site key is refused', async () => {
    const source = await newSource({ name: 'Admin only' });
    const key = await admin('POST', `/v1/admin/sites/${source.siteId}/api-keys`, { name: 'Zapier' });
    const siteKey = key.json<{ key: string }>().key;
    const asSite = await app.inject({
      method: 'GET',
      url: `/v1/admin/sites/${source.siteId}/sources`,
      headers: { authorization: `Bearer ${siteKey}` },
    });
    expect(asSite.statusCode).toBe(403);
  });

  it('the retention sweep deletes log lines older than INBOUND_LOG_RETENTION_DAYS', async () => {
    const source = await newSource({ name: 'Pruned' });
    await post(source.token, JSON.stringify({ email: 'old@example.com' }), 'application/json');
    await post(source.token, JSON.stringify({ email: 'new@example.com' }), 'application/json');
    await app.get(InboundLog).flushed();
    const [oldest] = (await logOf(source.id)).slice(-1);
    await db.dataSource.query(
      `UPDATE inbound_request SET received_at = now() - interval '30 days' WHERE id = $1`,
      [oldest.id],
    );
    expect((await app.get(RetentionSweeper).runOnce())?.inboundLogsDeleted).toBeGreaterThanOrEqual(1);
    expect(
      (await logOf(source.id)).map((line) => (JSON.parse(line.body!) as { email: string }).email),
    ).toEqual(['new@example.com']);
  });
});

describe('inbound source isolation (rate limits, a slow mapping)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('inbound_iso'), createTestKafka('inbound_iso')]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: ADMIN,
      OUTBOX_RELAY_ENABLED: 'false',
      INBOUND_RATE_LIMIT_PER_SOURCE_PER_SECOND: '10',
      INBOUND_MAPPING_WORKERS: '2',
      INBOUND_MAPPING_TIMEOUT_MS: '300',
      INBOUND_MAPPING_CONCURRENCY_PER_SOURCE: '1',
      INBOUND_MAPPING_QUEUE_PER_SOURCE: '2',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  async function source(mapping?: string): Promise<{ id: string; token: string }> {
    const site = await seedSite(db.dataSource);
    const made = await app.inject({
      method: 'POST',
      url: `/v1/admin/sites/${site.id}/sources`,
      payload: { name: 's', ...(mapping ? { mapping } : {}) },
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    return made.json<{ id: string; token: string }>();
  }

  const send = (token: string, email = 'a@example.com') =>
    app.inject({
      method: 'POST',
      url: `/v1/inbound/${token}`,
      payload: JSON.stringify({ email }),
      headers: { 'content-type': 'application/json' },
    });

  it('answers 429 with Retry-After past the source’s rate, and keeps one log line a second for the flood', async () => {
    const flooded = await source();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(flooded.token, `f${i}@example.com`)),
    );
    const seconds = (performance.now() - started) / 1000;
    // A burst of 10 passes the rate, plus what the bucket refilled (10/s) while the flood was being answered (a
    // starved machine takes longer over it); the rest wait and retry.
    const stored = answers.filter((res) => res.statusCode === 201);
    const refused = answers.filter((res) => res.statusCode === 429);
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(stored.length).toBeLessThanOrEqual(10 + Math.ceil(10 * seconds));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(stored.length + refused.length).toBe(40);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await app.get(InboundLog).flushed();
    const [{ count }] = await db.dataSource.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM inbound_request WHERE source_id = $1 AND status = 429`,
      [flooded.id],
    );
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(1 + Math.ceil(seconds));
    // Another source (of another site) is not touched by the flood.
    expect((await send((await source()).token)).statusCode).toBe(201);
  });

  it('keeps a slow mapping to its share: its requests queue or get 429, another source is answered promptly', async () => {
    // Each evaluation works until the mapping time limit (300 ms) stops it: without the per-source gate, ten of
    // them would fill the two workers' queue for about 1.5 s ahead of anyone else's.
    const slow = await source(
      '{ "email": $string($count($map([1..99999], function($i) { $map([1..99999], function($j) { $i * $j }) }))) }',
    );
    const healthy = await source();
    const hostile = Array.from({ length: 10 }, (_, i) => send(slow.token, `s${i}@example.com`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const answer = await send(healthy.token, 'ok@example.com');
    const elapsed = Date.now() - started;
    expect(answer.statusCode).toBe(201);
    const statuses = (await Promise.all(hostile)).map((res) => res.statusCode);
    expect(statuses.filter((status) => status === 422)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(elapsed).toBeLessThan(1_000);
    const log = await app.inject({
      method: 'GET',
      url: `/v1/admin/sources/${slow.id}/requests?limit=100`,
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(log.json<{ items: LoggedRequest[] }>().items.find((line) => line.status === 422)).toMatchObject({
      errors: [{ field: 'mapping', message: expect.stringMatching(/timeout after 300/i) }],
    });
  });
});
