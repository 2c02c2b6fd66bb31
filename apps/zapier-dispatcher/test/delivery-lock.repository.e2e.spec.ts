import { LEAD_CREATED_DLT } from '@leadhooks/contracts';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  DeliveryLockRepository,
  EndpointRepository,
  LeadEntity,
  type LeasePolicy,
  OutboxMessageEntity,
  SecretBox,
  type Site,
  SiteRepository,
} from '@leadhooks/db';
import {
  createTestDatabase,
  seedEndpoint,
  seedLead,
  seedSite,
  TEST_ENCRYPTION_KEY,
  type TestDatabase,
  testLeadKeys,
  zapierEndpointOf,
} from '@leadhooks/testing';
import { generateWebhookSecret } from '@leadhooks/webhooks';

const attempt = (n: number, status: number | null = 500) => ({
  attempt: n,
  tier: 'main',
  startedAt: new Date(),
  durationMs: 12,
  httpStatus: status,
  errorClass: status === 200 ? null : 'http',
  error: status === 200 ? null : `HTTP ${status}`,
  responseSnippet: null,
});

const LEASE: LeasePolicy = { defaultTimeoutMs: 3_000, marginMs: 2_000 };

/** The delivery lock's rules, at the repository, on real Postgres (no Kafka, no HTTP). */
describe('DeliveryLockRepository (real Postgres)', () => {
  let db: TestDatabase;
  let sut: DeliveryLockRepository;
  let site: Site;

  const repository = () =>
    new DeliveryLockRepository(
      db.dataSource,
      new EndpointRepository(db.dataSource, new SecretBox(TEST_ENCRYPTION_KEY)),
      testLeadKeys(),
    );

  beforeAll(async () => {
    db = await createTestDatabase('deliverylock');
    sut = repository();
    site = await seedSite(db.dataSource, { webhookUrl: 'https://hooks.example.com/catch/1', enabled: true });
  });

  afterAll(() => db?.drop());

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const delivery = (id: string) => db.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ id });
  const newEvent = async (target = site) => {
    const event = await seedLead(db.dataSource, target);
    return { id: event.id, type: event.type, leadId: event.data.lead_id };
  };
  /** A fresh lead's delivery to the site's zapier endpoint, created by a fan-out whose lease is then released. */
  const newDelivery = async (target = site) => {
    const event = await newEvent(target);
    const { deliveries } = await sut.fanOut(event, LEASE);
    const created = deliveries[0];
    if (created?.kind !== 'created') throw new Error('expected a created delivery');
    await sut.release(created.deliveryId, created.claim.token);
    return { ...event, deliveryId: created.deliveryId };
  };

  it('fans an event out to every live, enabled endpoint subscribed to it, leased to the caller, once', async () => {
    const fanSite = await seedSite(db.dataSource, {
      webhookUrl: 'https://hooks.example.com/z',
      enabled: true,
    });
    const make = await seedEndpoint(db.dataSource, fanSite, {
      url: 'https://hook.make.example/1',
      auth: 'secret_header',
    });
    await seedEndpoint(db.dataSource, fanSite, { url: 'https://off.example/1', enabled: false });
    await seedEndpoint(db.dataSource, fanSite, {
      url: 'https://updates.example/1',
      events: ['lead.updated'],
    });
    const event = await newEvent(fanSite);
    const before = performance.now();
    const first = await sut.fanOut(event, LEASE);
    expect(first.leadMissing).toBe(false);
    expect(first.deliveries.map((d) => d.kind)).toEqual(['created', 'created']);
    const endpoints = first.deliveries.map((d) => (d.kind === 'created' ? d.claim.target.endpoint.name : ''));
    expect(endpoints.sort()).toEqual([make.name, 'zapier'].sort());
    for (const created of first.deliveries) {
      if (created.kind !== 'created') continue;
      expect(created.claim.leaseDeadline).toBeGreaterThan(before + 4_000);
      expect((await delivery(created.deliveryId)).lockToken).toBe(created.claim.token);
    }
    const again = await sut.fanOut(event, LEASE);
    expect(again.deliveries.map((d) => d.kind)).toEqual(['existing', 'existing']);
    expect(await db.dataSource.getRepository(DeliveryEntity).countBy({ eventId: event.id })).toBe(2);
    expect((await lead(event.leadId)).fannedOutAt).not.toBeNull();
    expect(
      await sut.fanOut(
        {
          ...event,
          id: '00000000-0000-7000-8000-00000000000e',
          leadId: '00000000-0000-7000-8000-000000000000',
        },
        LEASE,
      ),
    ).toEqual({ leadMissing: true, deliveries: [] });
  });

  it('marks a lead.created NOT_CONFIGURED when its site has no zapier delivery, and PENDING when the hook was enabled since', async () => {
    const off = await seedSite(db.dataSource, {
      webhookUrl: 'https://hooks.example.com/off',
      enabled: false,
    });
    const event = await newEvent(off);
    expect((await sut.fanOut(event, LEASE)).deliveries).toEqual([]);
    expect((await lead(event.leadId)).zapierStatus).toBe('NOT_CONFIGURED');
    const later = await newEvent(off);
    await db.dataSource.query(`UPDATE lead SET zapier_status = 'NOT_CONFIGURED' WHERE id = $1`, [
      later.leadId,
    ]);
    await db.dataSource.query(`UPDATE endpoint SET enabled = true WHERE site_id = $1`, [off.id]);
    expect((await sut.fanOut(later, LEASE)).deliveries).toHaveLength(1);
    expect((await lead(later.leadId)).zapierStatus).toBe('PENDING');
  });

  it('answers each refusal with its verdict: leased, stale, missing, already-sent, not-pending', async () => {
    const { deliveryId } = await newDelivery();
    expect((await sut.claim(deliveryId, 1, LEASE)).kind).toBe('claimed');
    expect(await sut.claim(deliveryId, 1, LEASE)).toMatchObject({ kind: 'leased', until: expect.any(Date) });
    expect(await sut.claim((await newDelivery()).deliveryId, 3, LEASE)).toEqual({
      kind: 'stale',
      attemptCount: 0,
    });
    expect(await sut.claim('00000000-0000-7000-8000-000000000000', 1, LEASE)).toEqual({ kind: 'missing' });
    const sent = await newDelivery();
    await db.dataSource.query(`UPDATE delivery SET status = 'SENT' WHERE id = $1`, [sent.deliveryId]);
    expect(await sut.claim(sent.deliveryId, 1, LEASE)).toEqual({ kind: 'already-sent' });
    const failed = await newDelivery();
    await db.dataSource.query(`UPDATE delivery SET status = 'FAILED' WHERE id = $1`, [failed.deliveryId]);
    expect(await sut.claim(failed.deliveryId, 1, LEASE)).toEqual({ kind: 'not-pending', status: 'FAILED' });
  });

  it('ends a delivery SKIPPED when its endpoint was disabled, unsubscribed or deleted; the zapier one mirrors NOT_CONFIGURED', async () => {
    const own = await seedSite(db.dataSource, { webhookUrl: 'https://hooks.example.com/own', enabled: true });
    const zapier = await zapierEndpointOf(db.dataSource, own);
    const disabled = await newDelivery(own);
    await db.dataSource.query(`UPDATE endpoint SET enabled = false WHERE id = $1`, [zapier.id]);
    expect(await sut.claim(disabled.deliveryId, 1, LEASE)).toEqual({
      kind: 'skipped',
      reason: 'endpoint-disabled',
    });
    expect(await delivery(disabled.deliveryId)).toMatchObject({
      status: 'SKIPPED',
      lastError: 'endpoint disabled',
    });
    expect((await lead(disabled.leadId)).zapierStatus).toBe('NOT_CONFIGURED');

    await db.dataSource.query(`UPDATE endpoint SET enabled = true WHERE id = $1`, [zapier.id]);
    const unsubscribed = await newDelivery(own);
    await db.dataSource.query(`UPDATE endpoint SET events = '{lead.updated}' WHERE id = $1`, [zapier.id]);
    expect(await sut.claim(unsubscribed.deliveryId, 1, LEASE)).toEqual({
      kind: 'skipped',
      reason: 'endpoint-unsubscribed',
    });

    const other = await seedEndpoint(db.dataSource, own, { url: 'https://crm.example/1' });
    const event = await newEvent(own);
    const created = (await sut.fanOut(event, LEASE)).deliveries.find((d) => d.endpointId === other.id);
    if (created?.kind !== 'created') throw new Error('expected a delivery to the CRM');
    await sut.release(created.deliveryId, created.claim.token);
    await db.dataSource.query(`UPDATE endpoint SET deleted_at = now() WHERE id = $1`, [other.id]);
    expect(await sut.claim(created.deliveryId, 1, LEASE)).toEqual({
      kind: 'skipped',
      reason: 'endpoint-deleted',
    });
  });

  it('lets exactly one of many concurrent claimers (on separate connections) take a delivery', async () => {
    const { deliveryId } = await newDelivery();
    const results = await Promise.all(
      [sut, repository(), repository(), repository(), repository()].map((r) => r.claim(deliveryId, 1, LEASE)),
    );
    expect(results.filter((result) => result.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'leased')).toHaveLength(4);
  });

  it('records a 2xx only for the lease holder, mirrored on the lead for the zapier delivery; a lost lease leaves its attempt, marked', async () => {
    const { deliveryId, leadId } = await newDelivery();
    const first = await sut.claim(deliveryId, 1, { defaultTimeoutMs: 0, marginMs: 1 });
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await sut.claim(deliveryId, 1, LEASE);
    if (second.kind !== 'claimed') throw new Error('expected the lapsed lease to be taken over');
    expect(await sut.recordSuccess(deliveryId, first.token, attempt(1, 200))).toBe(false);
    expect((await delivery(deliveryId)).status).toBe('PENDING');
    expect(await sut.recordSuccess(deliveryId, second.token, attempt(1, 200))).toBe(true);
    expect(await delivery(deliveryId)).toMatchObject({
      status: 'SENT',
      attemptCount: 1,
      lockToken: null,
      lastStatus: 200,
    });
    expect(await lead(leadId)).toMatchObject({ zapierStatus: 'SENT', zapierAttemptCount: 1 });
    const rows = await db.dataSource
      .getRepository(DeliveryAttemptEntity)
      .find({ where: { deliveryId }, order: { id: 'ASC' } });
    expect(rows.map((row) => row.leaseLost)).toEqual([true, false]);
    expect(await sut.claim(deliveryId, 2, LEASE)).toEqual({ kind: 'already-sent' });
  });

  it('writes a failure and its hand-on in one statement, and neither when the lease was lost', async () => {
    const { deliveryId, leadId } = await newDelivery();
    const claim = await sut.claim(deliveryId, 1, LEASE);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    const handOn = { topic: LEAD_CREATED_DLT, payload: { id: 'evt' }, headers: { 'lh-attempt': '2' } };
    const outbox = () => db.dataSource.getRepository(OutboxMessageEntity).findBy({ aggregateId: leadId });
    const final = { final: true, handOn, nextAttemptAt: null, nextCycleStep: 0 };
    expect(
      await sut.recordFailure(deliveryId, 'ffffffff-ffff-4fff-8fff-ffffffffffff', attempt(1), final),
    ).toBe(false);
    expect(await outbox()).toEqual([]);
    expect(await sut.recordFailure(deliveryId, claim.token, attempt(1), final)).toBe(true);
    expect(await delivery(deliveryId)).toMatchObject({
      status: 'FAILED',
      attemptCount: 1,
      lastError: 'HTTP 500',
    });
    expect(await lead(leadId)).toMatchObject({
      zapierStatus: 'FAILED',
      zapierAttemptCount: 1,
      zapierLastError: 'HTTP 500',
    });
    expect(await outbox()).toEqual([
      expect.objectContaining({
        topic: LEAD_CREATED_DLT,
        eventType: 'lead.created',
        payload: { id: 'evt' },
        headers: { 'lh-attempt': '2' },
        publishedAt: null,
      }),
    ]);
  });

  it('never mirrors another endpoint on the lead', async () => {
    const own = await seedSite(db.dataSource, { webhookUrl: 'https://hooks.example.com/m', enabled: true });
    const crm = await seedEndpoint(db.dataSource, own, { url: 'https://crm.example/m' });
    const event = await newEvent(own);
    const created = (await sut.fanOut(event, LEASE)).deliveries.find((d) => d.endpointId === crm.id);
    if (created?.kind !== 'created') throw new Error('expected a delivery to the CRM');
    await sut.recordFailure(created.deliveryId, created.claim.token, attempt(1, 503), {
      final: true,
      handOn: { topic: LEAD_CREATED_DLT, payload: {}, headers: {} },
      nextAttemptAt: null,
      nextCycleStep: 0,
    });
    expect(await lead(event.leadId)).toMatchObject({ zapierStatus: 'PENDING', zapierAttemptCount: 0 });
  });

  it('opens what it can of an endpoint sealed under another key, and names the problem, instead of failing the batch', async () => {
    const foreign = new SiteRepository(db.dataSource, new SecretBox(SecretBox.generateKey()));
    const alien = (await foreign.create({
      hostname: `alien-${Date.now()}.test`,
      name: 'Alien',
      webhookUrl: 'https://x.example/y',
      enabled: true,
      secret: generateWebhookSecret(),
    })) as Site;
    const [good, bad] = await Promise.all([
      sut.fanOut(await newEvent(), LEASE),
      sut.fanOut(await newEvent(alien), LEASE),
    ]);
    expect(good.deliveries[0]).toMatchObject({
      kind: 'created',
      claim: { target: { endpoint: { problem: null } } },
    });
    expect(bad.deliveries[0]).toMatchObject({
      kind: 'created',
      claim: { target: { endpoint: { problem: expect.stringMatching(/encryption key/), url: null } } },
    });
  });
});
