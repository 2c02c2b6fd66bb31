import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, createTestKafka, type TestDatabase, type TestKafka } from '@leadhooks/testing';
import { AppProcess } from '../src/app-process.js';
import { createSite, stackEnv } from '../src/stack.js';

/**
 * A database failover looks like every connection being terminated (FATAL 57P01). leads-api must survive it:
 * a few requests may get 503 with Retry-After, never a crash, and every lead it answered 201 for is stored.
 */
describe('leads-api while its Postgres connections are terminated under load (real processes)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('e2efailover'), createTestKafka('e2efailover')]);
  });

  afterAll(async () => {
    await kafka?.cleanup();
    await db?.drop();
  });

  async function terminateBackends(): Promise<number> {
    const rows: Array<{ terminated: boolean }> = await db.dataSource.query(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'leads-api%'`,
    );
    return rows.filter((row) => row.terminated).length;
  }

  it.each([
    ['with Kafka reachable', {}],
    ['with Kafka unreachable', { KAFKA_BROKERS: '127.0.0.1:9' }],
  ])(
    'survives repeated terminations %s: only 201s and 503s, and every 201 is stored',
    async (label, extra: Record<string, string>) => {
      const api = await AppProcess.start(
        'leads-api',
        stackEnv(db, kafka, {
          RATE_LIMIT_PER_IP_PER_MINUTE: '0',
          RATE_LIMIT_PER_SITE_PER_SECOND: '0',
          ...extra,
        }),
      );
      try {
        const hostname = `failover-${label.includes('un') ? 'down' : 'up'}.test`;
        await createSite(api, hostname, null);
        const accepted: string[] = [];
        const statuses = new Map<number, number>();
        let stop = false;
        const client = async () => {
          while (!stop) {
            try {
              const response = await fetch(`${api.url}/v1/sites/${hostname}/leads`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ email: 'failover@example.com', message: 'during a failover' }),
              });
              statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
              if (response.status === 201) accepted.push(((await response.json()) as { id: string }).id);
              else await response.arrayBuffer();
              if (response.status === 503) expect(response.headers.get('retry-after')).toBeTruthy();
            } catch (error) {
              throw new Error(
                `leads-api stopped answering: ${String(error)}\n${api.output.join('').slice(-3000)}`,
              );
            }
          }
        };
        const clients = Array.from({ length: 8 }, client);
        let terminated = 0;
        for (let round = 0; round < 6; round++) {
          await sleep(300);
          terminated += await terminateBackends();
        }
        await sleep(500);
        stop = true;
        await Promise.all(clients);

        expect(terminated).toBeGreaterThan(0);
        expect(api.exitCode).toBeNull();
        expect([...statuses.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([]);
        expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
        const rows: Array<{ count: string }> = await db.dataSource.query(
          `SELECT count(*) FROM lead WHERE id = ANY($1::uuid[])`,
          [accepted],
        );
        expect(Number(rows[0].count)).toBe(accepted.length);
        // Still serving after the storm.
        const after = await fetch(`${api.url}/v1/sites/${hostname}/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'after@example.com' }),
        });
        expect(after.status).toBe(201);
      } finally {
        await api.stop();
      }
    },
  );

  it('stops promptly on SIGTERM even while its relay cannot reach Kafka (the relay stops first, nothing reconnects)', async () => {
    const api = await AppProcess.start('leads-api', stackEnv(db, kafka, { KAFKA_BROKERS: '127.0.0.1:9' }));
    const started = Date.now();
    const code = await api.stop();
    // Nest's shutdown hook closes the app, then re-raises SIGTERM: no exit code, and nothing left running.
    expect([0, null]).toContain(code);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
