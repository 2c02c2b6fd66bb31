import { LEAD_CREATED_DLT } from '@leadhooks/contracts';
import {
  DeliveryAttemptEntity,
  LeadEntity,
  LeadLockRepository,
  OutboxMessageEntity,
  SecretBox,
  type Site,
  SiteRepository,
} from '@leadhooks/db';
import {
  createTestDatabase,
  seedLead,
  seedSite,
  TEST_ENCRYPTION_KEY,
  type TestDatabase,
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

/** The lead lock's rules, at the repository, on real Postgres (no Kafka, no HTTP). */
describe('LeadLockRepository (real Postgres)', () => {
  let db: TestDatabase;
  let sut: LeadLockRepository;
  let site: Site;

  beforeAll(async () => {
    db = await createTestDatabase('leadlock');
    sut = new LeadLockRepository(
      db.dataSource,
      new SiteRepository(db.dataSource, new SecretBox(TEST_ENCRYPTION_KEY)),
    );
    site = await seedSite(db.dataSource, { webhookUrl: 'https://hooks.example.com/catch/1', enabled: true });
  });

  afterAll(() => db?.drop());

  const lead = (id: string) => db.dataSource.getRepository(LeadEntity).findOneByOrFail({ id });
  const newLead = async (target = site) => (await seedLead(db.dataSource, target)).data.lead_id;

  it('claims a PENDING lead for its next attempt, returning the opened site and a lease deadline', async () => {
    const id = await newLead();
    const before = performance.now();
    const claim = await sut.claim(id, 1, 5_000);
    expect(claim).toMatchObject({ kind: 'claimed', attemptCount: 0 });
    if (claim.kind !== 'claimed') return;
    expect(claim.site.zapier.webhookUrl).toBe('https://hooks.example.com/catch/1');
    expect(claim.leaseDeadline).toBeGreaterThan(before + 4_000);
    expect(claim.leaseDeadline).toBeLessThanOrEqual(performance.now() + 5_000);
    expect((await lead(id)).lockToken).toBe(claim.token);
  });

  it('answers each refusal with its verdict: leased, stale, missing, already-sent, not-pending, not-configured', async () => {
    const id = await newLead();
    expect((await sut.claim(id, 1, 5_000)).kind).toBe('claimed');
    expect(await sut.claim(id, 1, 5_000)).toMatchObject({ kind: 'leased', until: expect.any(Date) });
    expect(await sut.claim(await newLead(), 3, 5_000)).toEqual({ kind: 'stale', attemptCount: 0 });
    expect(await sut.claim('00000000-0000-7000-8000-000000000000', 1, 5_000)).toEqual({ kind: 'missing' });
    const sent = await newLead();
    await db.dataSource.query(`UPDATE lead SET zapier_status = 'SENT' WHERE id = $1`, [sent]);
    expect(await sut.claim(sent, 1, 5_000)).toEqual({ kind: 'already-sent' });
    const failed = await newLead();
    await db.dataSource.query(`UPDATE lead SET zapier_status = 'FAILED' WHERE id = $1`, [failed]);
    expect(await sut.claim(failed, 1, 5_000)).toEqual({ kind: 'not-pending', status: 'FAILED' });
    const disabled = await seedSite(db.dataSource, {
      webhookUrl: 'https://hooks.example.com/x',
      enabled: false,
    });
    const unconfigured = await newLead(disabled);
    expect(await sut.claim(unconfigured, 1, 5_000)).toEqual({ kind: 'not-configured' });
    expect((await lead(unconfigured)).zapierStatus).toBe('NOT_CONFIGURED');
  });

  it('lets exactly one of many concurrent claimers (on separate connections) take a lead', async () => {
    const id = await newLead();
    const others = Array.from(
      { length: 4 },
      () =>
        new LeadLockRepository(
          db.dataSource,
          new SiteRepository(db.dataSource, new SecretBox(TEST_ENCRYPTION_KEY)),
        ),
    );
    const results = await Promise.all([sut, ...others].map((repository) => repository.claim(id, 1, 5_000)));
    expect(results.filter((result) => result.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'leased')).toHaveLength(4);
  });

  it('records a 2xx only for the lease holder; a holder whose lease was taken over changes nothing but leaves its attempt, marked', async () => {
    const id = await newLead();
    const first = await sut.claim(id, 1, 1);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await sut.claim(id, 1, 5_000);
    if (second.kind !== 'claimed') throw new Error('expected the lapsed lease to be taken over');
    expect(await sut.recordSuccess(id, first.token, attempt(1, 200))).toBe(false);
    expect((await lead(id)).zapierStatus).toBe('PENDING');
    expect(await sut.recordSuccess(id, second.token, attempt(1, 200))).toBe(true);
    expect(await lead(id)).toMatchObject({ zapierStatus: 'SENT', zapierAttemptCount: 1, lockToken: null });
    const rows = await db.dataSource
      .getRepository(DeliveryAttemptEntity)
      .find({ where: { leadId: id }, order: { id: 'ASC' } });
    expect(rows.map((row) => row.leaseLost)).toEqual([true, false]);
    expect(await sut.claim(id, 2, 5_000)).toEqual({ kind: 'already-sent' });
  });

  it('writes a failure and its hand-on in one statement, and neither when the lease was lost', async () => {
    const id = await newLead();
    const claim = await sut.claim(id, 1, 5_000);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    const handOn = { topic: LEAD_CREATED_DLT, payload: { id: 'evt' }, headers: { 'lh-attempt': '2' } };
    const outbox = () => db.dataSource.getRepository(OutboxMessageEntity).findBy({ aggregateId: id });
    expect(
      await sut.recordFailure(id, 'ffffffff-ffff-4fff-8fff-ffffffffffff', attempt(1), {
        final: true,
        handOn,
        nextAttemptAt: null,
        nextCycleStep: 0,
      }),
    ).toBe(false);
    expect(await outbox()).toEqual([]);
    expect(
      await sut.recordFailure(id, claim.token, attempt(1), {
        final: true,
        handOn,
        nextAttemptAt: null,
        nextCycleStep: 0,
      }),
    ).toBe(true);
    expect(await lead(id)).toMatchObject({
      zapierStatus: 'FAILED',
      zapierAttemptCount: 1,
      zapierLastError: 'HTTP 500',
    });
    expect(await outbox()).toEqual([
      expect.objectContaining({
        topic: LEAD_CREATED_DLT,
        payload: { id: 'evt' },
        headers: { 'lh-attempt': '2' },
        publishedAt: null,
      }),
    ]);
  });

  it('opens what it can of a site sealed under another key, and names the problem, instead of failing the batch', async () => {
    const foreign = new SiteRepository(db.dataSource, new SecretBox(SecretBox.generateKey()));
    const alien = (await foreign.create({
      hostname: `alien-${Date.now()}.test`,
      name: 'Alien',
      webhookUrl: 'https://x.example/y',
      enabled: true,
      secret: generateWebhookSecret(),
    })) as Site;
    const [good, bad] = await Promise.all([
      sut.claim(await newLead(), 1, 5_000),
      sut.claim(await newLead(alien), 1, 5_000),
    ]);
    expect(good).toMatchObject({ kind: 'claimed', site: { problem: null } });
    expect(bad).toMatchObject({
      kind: 'claimed',
      site: { problem: expect.stringMatching(/encryption key/), zapier: { webhookUrl: null } },
    });
  });
});
