import { OutboxRepository } from '@leadhooks/db';
import { createTestDatabase, type TestDatabase } from '@leadhooks/testing';

/** The relay's claim, at the repository, on real Postgres. */
describe('OutboxRepository (real Postgres)', () => {
  let db: TestDatabase;
  let sut: OutboxRepository;

  beforeAll(async () => {
    db = await createTestDatabase('outboxrepo');
    sut = new OutboxRepository(db.dataSource);
  });

  afterAll(() => db?.drop());

  const insert = (aggregateId: string, topic = 'lead.created') =>
    db.dataSource.query(
      `INSERT INTO outbox (aggregate_id, topic, event_type, payload) VALUES ($1, $2, 'lead.created', '{}') RETURNING id`,
      [aggregateId, topic],
    );
  const lead = (n: number) => `0193a2b4-0000-7000-8000-${String(n).padStart(12, '0')}`;

  it("claims oldest first, one row per lead at a time (a lead's later row waits for its earlier one), with its topic", async () => {
    await db.dataSource.query('DELETE FROM outbox');
    await insert(lead(1));
    await insert(lead(1), 'lead.created.retry.1m');
    await insert(lead(2), 'lead.created.dlt');
    const claimed = await db.dataSource.transaction((manager) => sut.claimBatch(manager, 10));
    expect(claimed.map((row) => [row.aggregateId, row.topic])).toEqual([
      [lead(1), 'lead.created'],
      [lead(2), 'lead.created.dlt'],
    ]);
  });

  it('gives concurrent relays disjoint rows (SKIP LOCKED), and a marked row is never claimed again', async () => {
    await db.dataSource.query('DELETE FROM outbox');
    for (let n = 10; n < 20; n++) await insert(lead(n));
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const first = await sut.claimBatch(runner.manager, 4);
      const second = await db.dataSource.transaction((manager) => sut.claimBatch(manager, 10));
      expect(first).toHaveLength(4);
      expect(second).toHaveLength(6);
      expect(new Set([...first, ...second].map((row) => row.id)).size).toBe(10);
      await sut.markPublished(
        runner.manager,
        first.map((row) => row.id),
      );
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    const again = await db.dataSource.transaction((manager) => sut.claimBatch(manager, 10));
    expect(again).toHaveLength(6);
    expect((await sut.backlog()).count).toBe(6);
  });

  it('prunes published rows older than the retention only', async () => {
    await db.dataSource.query('DELETE FROM outbox');
    await insert(lead(30));
    await insert(lead(31));
    await db.dataSource.query(
      `UPDATE outbox SET published_at = now() - interval '2 days' WHERE aggregate_id = $1`,
      [lead(30)],
    );
    expect(await sut.prunePublished(new Date(Date.now() - 86_400_000), 100)).toBe(1);
    expect(await db.dataSource.query('SELECT aggregate_id FROM outbox')).toEqual([
      { aggregate_id: lead(31) },
    ]);
  });
});
