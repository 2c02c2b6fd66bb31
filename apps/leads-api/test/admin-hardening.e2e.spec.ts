import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { SecretBox, type Site, SiteRepository } from '@leadhooks/db';
import {
  createTestDatabase,
  createTestKafka,
  seedSite,
  TEST_ENCRYPTION_KEY,
  type TestDatabase,
  type TestKafka,
  WebhookReceiver,
} from '@leadhooks/testing';
import { generateWebhookSecret } from '@leadhooks/webhooks';
import { createTestLeadsApi } from './leads-api-harness.js';

const KEY = 'lh_bootstrap_hardening_key_0123456789';

describe('leads-api admin API: secrets stay secret, bad input is a 4xx (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [db, kafka, receiver] = await Promise.all([
      createTestDatabase('adminhard'),
      createTestKafka('adminhard'),
      WebhookReceiver.start(),
    ]);
    ({ app } = await createTestLeadsApi(db, kafka, {
      ADMIN_API_KEY: KEY,
      OUTBOX_RELAY_ENABLED: 'false',
      SECRET_ROTATION_GRACE: '1h',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await kafka?.cleanup();
    await db?.drop();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${KEY}` } });
  const hostname = () => `h-${Math.random().toString(36).slice(2, 10)}.test`;

  it('shows the full hook URL only on create; every other answer masks its path, and echoing the mask back keeps the URL', async () => {
    const url = `${receiver.url}?token=abc`;
    const created = await call('POST', '/v1/admin/sites', {
      hostname: hostname(),
      name: 'Mask',
      zapier: { webhook_url: url, enabled: true },
    });
    expect(created.statusCode).toBe(201);
    const site = created.json<{ id: string; zapier: { webhook_url: string } }>();
    expect(site.zapier.webhook_url).toBe(url);

    const answers = [
      await call('GET', `/v1/admin/sites/${site.id}`),
      await call('PATCH', `/v1/admin/sites/${site.id}`, { name: 'Mask 2' }),
      await call('POST', `/v1/admin/sites/${site.id}/zapier/rotate-secret`),
    ];
    const listed = (await call('GET', '/v1/admin/sites'))
      .json<Array<{ id: string; zapier: { webhook_url: string } }>>()
      .find((s) => s.id === site.id);
    for (const shown of [...answers.map((a) => a.json<{ zapier: { webhook_url: string } }>()), listed!]) {
      expect(shown.zapier.webhook_url).not.toContain('secret-token');
      expect(shown.zapier.webhook_url).not.toContain('abc');
      expect(shown.zapier.webhook_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    }
    const echoed = await call('PATCH', `/v1/admin/sites/${site.id}`, {
      zapier: { webhook_url: listed!.zapier.webhook_url, enabled: true },
    });
    expect(echoed.statusCode).toBe(200);
    const stored = await new SiteRepository(db.dataSource, new SecretBox(TEST_ENCRYPTION_KEY)).findById(
      site.id,
    );
    expect(stored?.zapier.webhookUrl).toBe(url);
  });

  it.each([
    [
      'a site id that is not a uuid',
      'GET',
      '/v1/admin/sites/------------------------------------',
      undefined,
      'id',
    ],
    ['a lead id that is not a uuid', 'GET', '/v1/leads/not-a-uuid', undefined, 'id'],
    ['a redeliver of a lead id that is not a uuid', 'POST', '/v1/leads/12345/redeliver', undefined, 'id'],
    ['an impossible ordinal date', 'GET', '/v1/leads?since=2024-366', undefined, 'since'],
    ['an impossible calendar date', 'GET', '/v1/leads?until=2025-02-30T00:00:00Z', undefined, 'until'],
    ['a cursor that is not ours', 'GET', '/v1/leads?cursor=bm9wZQ', undefined, 'cursor'],
    [
      'a site name with a NUL',
      'POST',
      '/v1/admin/sites',
      { hostname: 'nul.test', name: 'Bad\u0000Name' },
      'name',
    ],
  ] as const)('answers 400 naming the field for %s', async (_label, method, url, payload, field) => {
    const response = await call(method, url, payload);
    expect(response.statusCode).toBe(400);
    const body = response.json<{
      statusCode: number;
      message: string;
      errors: Array<{ field: string; message: string }>;
    }>();
    expect(body.statusCode).toBe(400);
    expect(body.errors.map((e) => e.field)).toContain(field);
  });

  it('keeps every issued secret valid through two concurrent rotations (atomic rotation)', async () => {
    const site = (
      await call('POST', '/v1/admin/sites', {
        hostname: hostname(),
        name: 'Rot',
        zapier: { webhook_url: receiver.url, enabled: true },
      })
    ).json<{
      id: string;
    }>();
    const [a, b] = await Promise.all([
      call('POST', `/v1/admin/sites/${site.id}/zapier/rotate-secret`),
      call('POST', `/v1/admin/sites/${site.id}/zapier/rotate-secret`),
    ]);
    const secrets = [a, b].map((r) => r.json<{ zapier: { secret: string } }>().zapier.secret);
    receiver.requests.length = 0;
    expect((await call('POST', `/v1/sites/${site.id}/zapier/test`)).json()).toMatchObject({ ok: true });
    const [request] = receiver.requests;
    for (const secret of secrets)
      expect(
        new Webhook(secret).verify(request.body, request.headers as Record<string, string>),
      ).toBeTruthy();
  });

  it('rotates in one statement: of two concurrent rotations, the first new secret stays valid as the previous one', async () => {
    const repository = new SiteRepository(db.dataSource, new SecretBox(TEST_ENCRYPTION_KEY));
    for (let round = 0; round < 5; round++) {
      const site = await seedSite(db.dataSource);
      const grace = new Date(Date.now() + 3_600_000);
      const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
      await Promise.all([
        repository.rotateSecret(site.id, a, grace),
        repository.rotateSecret(site.id, b, grace),
      ]);
      const after = await repository.findById(site.id);
      expect([after?.zapier.secret, after?.zapier.previousSecret].sort()).toEqual([a, b].sort());
    }
  });

  it('lists every site even when one row was sealed under a key this process does not hold; that site alone is flagged', async () => {
    const good = await seedSite(db.dataSource, { webhookUrl: receiver.url, enabled: true });
    const foreign = new SiteRepository(db.dataSource, new SecretBox(SecretBox.generateKey()));
    const alien = (await foreign.create({
      hostname: hostname(),
      name: 'Alien',
      webhookUrl: receiver.url,
      enabled: true,
      secret: generateWebhookSecret(),
    })) as Site;
    const list = await call('GET', '/v1/admin/sites');
    expect(list.statusCode).toBe(200);
    const sites =
      list.json<Array<{ id: string; zapier: { webhook_url: string | null }; problem?: string }>>();
    expect(sites.find((s) => s.id === good.id)?.problem).toBeUndefined();
    expect(sites.find((s) => s.id === alien.id)).toMatchObject({
      zapier: { webhook_url: null },
      problem: expect.stringMatching(/encryption key/),
    });
    expect((await call('GET', `/v1/admin/sites/${alien.id}`)).statusCode).toBe(200);
    // Setting a new URL and rotating the secret make the site whole again under the current key.
    await call('PATCH', `/v1/admin/sites/${alien.id}`, { zapier: { webhook_url: receiver.url } });
    expect((await call('POST', `/v1/admin/sites/${alien.id}/zapier/rotate-secret`)).statusCode).toBe(201);
    expect(
      (await call('GET', `/v1/admin/sites/${alien.id}`)).json<{ problem?: string }>().problem,
    ).toBeUndefined();
  });
});
