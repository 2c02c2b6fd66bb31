import { randomUUID } from 'node:crypto';
import { LEAD_UPDATED_TYPE, requeueMessage } from '@leadhooks/contracts';
import {
  DeliveryEntity,
  DeliveryLockRepository,
  DeliveryRepository,
  EndpointRepository,
  type LeasePolicy,
  SecretBox,
  type Site,
} from '@leadhooks/db';
import {
  createTestDatabase,
  seedEndpoint,
  seedLead,
  seedSite,
  TEST_ENCRYPTION_KEY,
  testLeadKeys,
  type TestDatabase,
} from '@leadhooks/testing';

const LEASE: LeasePolicy = { defaultTimeoutMs: 3_000, marginMs: 2_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Order and races at the delivery lock (issue 20, items 9–11), on real Postgres: an older lead.updated never
 * overtakes a newer one at an endpoint, a disabled or deleted endpoint gets no new request, and the statements that
 * lock a delivery and its lead take the locks in one order.
 */
describe('delivery lock: order and races (real Postgres)', () => {
  let db: TestDatabase;
  let sut: DeliveryLockRepository;
  let endpoints: EndpointRepository;
  let site: Site;

  beforeAll(async () => {
    db = await createTestDatabase('deliveryorder');
    endpoints = new EndpointRepository(db.dataSource, new SecretBox(TEST_ENCRYPTION_KEY));
    sut = new DeliveryLockRepository(db.dataSource, endpoints, testLeadKeys());
    site = await seedSite(db.dataSource, { webhookUrl: 'https://hooks.example.com/catch/1', enabled: true });
  });

  afterAll(() => db?.drop());

  const delivery = (id: string) => db.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ id });

  /** A lead.updated of version `version` of the lead, stored as the API stores it. */
  async function update(leadId: string, version: number) {
    const id = randomUUID();
    await db.dataSource.query(
      `INSERT INTO lead_update (event_id, lead_id, version, payload) VALUES ($1, $2, $3, '{}'::jsonb)`,
      [id, leadId, version],
    );
    return { id, type: LEAD_UPDATED_TYPE, leadId } as const;
  }

  async function fannedOut(event: { id: string; type: typeof LEAD_UPDATED_TYPE; leadId: string }) {
    const { deliveries } = await sut.fanOut(event, LEASE);
    const [created] = deliveries;
    if (created?.kind !== 'created') throw new Error('expected a created delivery');
    return created;
  }

  const sent = (attempt: number) => ({
    attempt,
    tier: 'main',
    startedAt: new Date(),
    durationMs: 5,
    httpStatus: 200,
    errorClass: null,
    error: null,
    responseSnippet: null,
  });

  it('ends an older lead.updated SKIPPED (superseded) once a newer version was sent to the same endpoint, at claim and at fan-out', async () => {
    const hookSite = await seedSite(db.dataSource);
    const hook = await seedEndpoint(db.dataSource, hookSite, {
      url: 'https://hook.example/updates',
      events: ['lead.created', LEAD_UPDATED_TYPE],
    });
    const { data } = await seedLead(db.dataSource, hookSite);
    const [v1, v2, v3] = [
      await update(data.lead_id, 1),
      await update(data.lead_id, 2),
      await update(data.lead_id, 3),
    ];
    // v2 failed once and waits for its retry; v3 is delivered meanwhile.
    const second = await fannedOut(v2);
    expect(second.endpointId).toBe(hook.id);
    await sut.release(second.deliveryId, second.claim.token);
    const third = await fannedOut(v3);
    expect(await sut.recordSuccess(third.deliveryId, third.claim.token, sent(1))).toBe(true);

    expect(await sut.claim(second.deliveryId, 1, LEASE)).toEqual({ kind: 'skipped', reason: 'superseded' });
    expect(await delivery(second.deliveryId)).toMatchObject({ status: 'SKIPPED', lastError: 'superseded' });
    // An even older version fanned out late (a replay) is never leased for a request either.
    const { deliveries } = await sut.fanOut(v1, LEASE);
    expect(deliveries.filter((d) => d.kind === 'created')).toEqual([]);
    const [late] = await db.dataSource.query<Array<{ status: string; last_error: string }>>(
      `SELECT status, last_error FROM delivery WHERE event_id = $1`,
      [v1.id],
    );
    expect(late).toEqual({ status: 'SKIPPED', last_error: 'superseded' });
    // The newest version is not superseded by anything.
    const v4 = await fannedOut(await update(data.lead_id, 4));
    expect(v4.claim.kind).toBe('claimed');
  });

  for (const change of ['DELETE', 'PATCH enabled:false'] as const) {
    it(`starts no request after ${change} of the endpoint answered, even for a claim already waiting on the delivery's row`, async () => {
      const own = await seedSite(db.dataSource);
      const hook = await seedEndpoint(db.dataSource, own, { url: 'https://hook.example/x' });
      const event = await seedLead(db.dataSource, own);
      const { deliveries } = await sut.fanOut(
        { id: event.id, type: event.type, leadId: event.data.lead_id },
        LEASE,
      );
      const created = deliveries.find((d) => d.endpointId === hook.id);
      if (created?.kind !== 'created') throw new Error('expected a created delivery');
      await sut.release(created.deliveryId, created.claim.token);
      // Another statement holds the delivery's row (a concurrent claim or outcome) while the claim is sent.
      const holder = db.dataSource.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      await holder.query(`SELECT 1 FROM delivery WHERE id = $1 FOR UPDATE`, [created.deliveryId]);
      const claim = sut.claim(created.deliveryId, 1, LEASE);
      await sleep(300);
      if (change === 'DELETE') expect(await endpoints.delete(hook.id)).toBe(true);
      else expect(await endpoints.update(hook.id, { enabled: false })).toMatchObject({ enabled: false });
      await holder.commitTransaction();
      await holder.release();
      expect(await claim).toEqual({
        kind: 'skipped',
        reason: change === 'DELETE' ? 'endpoint-deleted' : 'endpoint-disabled',
      });
    });
  }

  it('tells a holder that waited after its claim whether it may still send (endpoint deleted, disabled, lease lost)', async () => {
    const own = await seedSite(db.dataSource);
    const hooks = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        seedEndpoint(db.dataSource, own, { name, url: `https://hook.example/${name}` }),
      ),
    );
    const event = await seedLead(db.dataSource, own);
    const { deliveries } = await sut.fanOut(
      { id: event.id, type: event.type, leadId: event.data.lead_id },
      LEASE,
    );
    const leased = (endpointId: string) => {
      const found = deliveries.find((d) => d.endpointId === endpointId);
      if (found?.kind !== 'created' || found.claim.kind !== 'claimed')
        throw new Error('expected a claimed delivery');
      return { id: found.deliveryId, token: found.claim.token };
    };
    const [a, b, c] = hooks.map((hook) => leased(hook.id));
    for (const d of [a, b, c]) expect(await sut.stillSendable(d.id, d.token)).toBe(true);
    expect(await endpoints.delete(hooks[0].id)).toBe(true);
    expect(await endpoints.update(hooks[1].id, { enabled: false })).toMatchObject({ enabled: false });
    expect(await sut.stillSendable(a.id, a.token)).toBe(false);
    expect(await sut.stillSendable(b.id, b.token)).toBe(false);
    expect(await sut.stillSendable(c.id, c.token)).toBe(true);
    await sut.release(c.id, c.token);
    expect(await sut.stillSendable(c.id, c.token)).toBe(false);
  });

  it('redelivers a lead while an outcome holds its delivery, without a deadlock (delivery rows, then the lead)', async () => {
    const event = await seedLead(db.dataSource, site);
    const { deliveries } = await sut.fanOut(
      { id: event.id, type: event.type, leadId: event.data.lead_id },
      LEASE,
    );
    const [created] = deliveries;
    if (created?.kind !== 'created') throw new Error('expected a created delivery');
    await sut.release(created.deliveryId, created.claim.token);
    // What an outcome statement does: the delivery's row first, then its lead (the zapier delivery mirrors it).
    const outcome = db.dataSource.createQueryRunner();
    await outcome.connect();
    await outcome.startTransaction();
    await outcome.query(`SELECT 1 FROM delivery WHERE id = $1 FOR UPDATE`, [created.deliveryId]);
    const redelivery = new DeliveryRepository(db.dataSource, testLeadKeys()).redeliverLead(
      event.data.lead_id,
      {},
      ({ event: type, delivery: ref, attemptCount }) => requeueMessage(type, ref, attemptCount),
    );
    const settled = redelivery.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await sleep(300);
    await outcome.query(`UPDATE lead SET zapier_attempt_count = zapier_attempt_count WHERE id = $1`, [
      event.data.lead_id,
    ]);
    await outcome.commitTransaction();
    await outcome.release();
    const result = await settled;
    expect(result).toMatchObject({ ok: true, value: { kind: 'done' } });
  });
});
