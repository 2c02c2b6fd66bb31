import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildZapierPayload, parseLeadCreatedEvent } from '@leadhooks/contracts';
import { LeadEntity, OutboxMessageEntity } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  openStoredEvent,
  seedSite,
  type TestDatabase,
  type TestKafka,
} from '@leadhooks/testing';
import { createTestLeadsApi } from './leads-api-harness.js';

/** Bodies exactly as browsers and form tools encode them; none of them may lose a lead. */
describe('leads-api intake: every shape a browser sends is stored (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('intakeshapes'), createTestKafka('intakeshapes')]);
    ({ app } = await createTestLeadsApi(db, kafka, { OUTBOX_RELAY_ENABLED: 'false' }));
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.cleanup();
    await db?.drop();
  });

  const post = (hostname: string, payload: string | object | Buffer, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: `/v1/sites/${hostname}/leads`,
      payload,
      headers: { 'content-type': contentType },
    });
  const form = (hostname: string, body: string) => post(hostname, body, 'application/x-www-form-urlencoded');
  const stored = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const countOf = (siteId: string) => db.dataSource.getRepository(LeadEntity).countBy({ siteId });

  it('stores a checkbox group (interests[]=a&interests[]=b), a repeated key, spaced and bracketed names, empty values, unicode and utm_*', async () => {
    const site = await seedSite(db.dataSource);
    // What Chrome sends for <input name="First Name">, <input type=checkbox name="interests[]"> ×2, a repeated
    // <select multiple name=color>, an empty optional field, accents and a check mark, UTM fields.
    const body =
      'First+Name=Ada&email=ada%40example.com&interests%5B%5D=pricing&interests%5B%5D=demo&color=red&color=blue' +
      '&company=&note=caf%C3%A9+%E2%9C%93+%F0%9F%9A%80&utm_source=google&utm_campaign=spring+sale&address%5Bcity%5D=Paris';
    const response = await form(site.hostname, body);
    expect(response.statusCode).toBe(201);
    const lead = await stored(response.json<{ id: string }>().id);
    expect(lead.email).toBe('ada@example.com');
    expect(lead.extra).toEqual({
      'First Name': 'Ada',
      interests: ['pricing', 'demo'],
      color: ['red', 'blue'],
      company: '',
      note: 'café ✓ 🚀',
      utm_source: 'google',
      utm_campaign: 'spring sale',
      'address[city]': 'Paris',
    });
  });

  it('keeps arrays of strings from JSON bodies, and the flat webhook payload carries them comma-joined', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, {
      email: 'grace@example.com',
      services: ['seo', 'ads'],
      phone: 5550100123,
    });
    expect(response.statusCode).toBe(201);
    const id = response.json<{ id: string }>().id;
    const lead = await stored(id);
    expect(lead.extra).toEqual({ services: ['seo', 'ads'] });
    expect(lead.phone).toBe('5550100123');
    const [row] = await db.dataSource.getRepository(OutboxMessageEntity).findBy({ aggregateId: id });
    // Sealed under the lead's data key (docs/privacy.md): opened as the dispatcher opens it at send time.
    expect(JSON.stringify(row.payload)).not.toContain('grace@example.com');
    const parsed = parseLeadCreatedEvent(await openStoredEvent(db.dataSource, row.payload));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const flat = buildZapierPayload(
      parsed.event,
      { id: site.id, hostname: site.hostname, name: site.name },
      1,
    );
    expect(flat.services).toBe('seo,ads');
  });

  it('takes the first non-empty value of a known field sent twice', async () => {
    const site = await seedSite(db.dataSource);
    const response = await form(site.hostname, 'email=&email=lin%40example.com&name=Lin&name=Lin+Again');
    expect(response.statusCode).toBe(201);
    expect(await stored(response.json<{ id: string }>().id)).toMatchObject({
      email: 'lin@example.com',
      name: 'Lin',
    });
  });

  it('stores a real lead whose honeypot is false, 0 or blank; only a non-empty string means a bot', async () => {
    const site = await seedSite(db.dataSource);
    for (const gotcha of [false, 0, '', '  ', null]) {
      const response = await post(site.hostname, {
        email: `real-${String(gotcha).trim() || 'blank'}@example.com`,
        _gotcha: gotcha,
      });
      expect(response.statusCode).toBe(201);
    }
    expect(await form(site.hostname, 'email=real-form%40example.com&_gotcha=')).toMatchObject({
      statusCode: 201,
    });
    expect(await countOf(site.id)).toBe(6);
    const bot = await form(site.hostname, 'email=bot%40example.com&_gotcha=http%3A%2F%2Fspam.example');
    expect(bot.statusCode).toBe(201);
    expect(await countOf(site.id)).toBe(6);
  });

  it.each([
    ['a NUL in a known field (JSON)', { email: 'a@example.com', name: 'Ada\u0000' }, 'name'],
    ['a NUL in an extra field (JSON)', { email: 'a@example.com', note: 'x\u0000y' }, 'note'],
    ['an unpaired surrogate in an extra field', { email: 'a@example.com', note: 'bad \ud800 text' }, 'note'],
    ['a NUL in a field name', { email: 'a@example.com', 'bad\u0000key': 'v' }, 'bad key'],
  ])('answers 400 naming the field for %s, and stores nothing', async (_label, payload, field) => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, payload);
    expect(response.statusCode).toBe(400);
    const errors = response.json<{ errors: Array<{ field: string; message: string }> }>().errors;
    expect(errors.map((e) => e.field.replace('\u0000', ' '))).toContain(field);
    expect(await countOf(site.id)).toBe(0);
  });

  it('answers 400 naming the field for %00 in a urlencoded form, and stores nothing', async () => {
    const site = await seedSite(db.dataSource);
    const response = await form(site.hostname, 'email=a%40example.com&message=hi%00there');
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field)).toContain(
      'message',
    );
    expect(await countOf(site.id)).toBe(0);
  });

  it('answers 415 for text/plain, and stores nothing', async () => {
    const site = await seedSite(db.dataSource);
    const response = await post(site.hostname, 'email=a@example.com', 'text/plain');
    expect(response.statusCode).toBe(415);
    expect(await countOf(site.id)).toBe(0);
  });

  it('stores a multipart/form-data form (enctype="multipart/form-data"), ignoring file parts', async () => {
    const site = await seedSite(db.dataSource);
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    const part = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body =
      part('email', 'mp@example.com') +
      part('interests[]', 'a') +
      part('interests[]', 'b') +
      `--${boundary}\r\nContent-Disposition: form-data; name="cv"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n` +
      `--${boundary}--\r\n`;
    const response = await post(site.hostname, body, `multipart/form-data; boundary=${boundary}`);
    expect(response.statusCode).toBe(201);
    expect(await stored(response.json<{ id: string }>().id)).toMatchObject({
      email: 'mp@example.com',
      extra: { interests: ['a', 'b'] },
    });
  });

  it('still refuses what exceeds a real limit, naming it: nested objects, too many fields', async () => {
    const site = await seedSite(db.dataSource);
    const nested = await post(site.hostname, { email: 'a@example.com', utm: { source: 'x' } });
    expect(nested.statusCode).toBe(400);
    expect(nested.json<{ errors: Array<{ field: string }> }>().errors[0].field).toBe('utm');
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, 'v']));
    const tooMany = await post(site.hostname, { email: 'a@example.com', ...many });
    expect(tooMany.statusCode).toBe(400);
    expect(await countOf(site.id)).toBe(0);
  });
});
