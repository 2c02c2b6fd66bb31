import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@leadhooks/testing';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const migrate = path.join(repo, 'libs/db/dist/migrate.command.js');
// A migration that builds an index on a live table (outbox), concurrently.
const MIGRATION = 'OutboxSetAside1765000000700';
const INDEX = 'outbox_set_aside';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The migrate command, built, run as ops run it; resolves when it exits. */
function runMigrate(url: string, lockTimeout: string): { exited: Promise<Run>; running: () => boolean } {
  let done = false;
  const child = spawn(process.execPath, [migrate], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, MIGRATION_LOCK_TIMEOUT: lockTimeout },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Run>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      resolve({ code, stdout, stderr });
    }),
  );
  return { exited, running: () => !done };
}

describe('migrations build indexes on live tables without blocking writes (real Postgres, the built migrate command)', () => {
  let db: TestDatabase;
  const clients: pg.Client[] = [];

  const client = async () => {
    const connection = new pg.Client({ connectionString: db.url });
    await connection.connect();
    clients.push(connection);
    return connection;
  };
  const longTransaction = async () => {
    const connection = await client();
    await connection.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await connection.query('SELECT count(*) FROM site');
    return connection;
  };
  const insertOutboxRow = (connection: pg.Client) =>
    connection.query(
      `INSERT INTO outbox (aggregate_id, event_type, topic, payload) VALUES (gen_random_uuid(), 'lead.created', 'lead.created', '{}')`,
    );
  const indexState = async () =>
    await db.dataSource.query<Array<{ valid: boolean }>>(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`,
      [INDEX],
    );
  const applied = async () =>
    (await db.dataSource.query<Array<{ name: string }>>(`SELECT name FROM typeorm_migrations`)).map(
      (row) => row.name,
    );
  /** Undoes migrations, newest first, down to and including MIGRATION (so its index has to be built again). */
  const undoThroughTheIndexMigration = async () => {
    while ((await applied()).includes(MIGRATION))
      await db.dataSource.undoLastMigration({ transaction: 'all' });
    expect(await indexState()).toEqual([]);
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2emigidx');
    // A table with rows, as in production.
    await db.dataSource.query(
      `INSERT INTO outbox (aggregate_id, event_type, topic, payload, published_at)
       SELECT gen_random_uuid(), 'lead.created', 'lead.created', '{}', now() FROM generate_series(1, 20000)`,
    );
  });
  afterEach(async () => {
    for (const connection of clients.splice(0)) await connection.end().catch(() => undefined);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('an INSERT into the table completes while the migration builds its index there', async () => {
    await undoThroughTheIndexMigration();
    // A long transaction elsewhere in the database (a report): a concurrent build waits for its snapshot before it
    // ends, which keeps the build under way long enough to write to the table meanwhile.
    const report = await longTransaction();

    const migration = runMigrate(db.url, '60s');
    const observer = await client();
    const deadline = Date.now() + 30_000;
    let build: { command: string; phase: string } | undefined;
    while (!build && Date.now() < deadline && migration.running()) {
      const { rows } = await observer.query<{ command: string; phase: string }>(
        `SELECT p.command, p.phase FROM pg_stat_progress_create_index p JOIN pg_class c ON c.oid = p.relid
          WHERE c.relname = 'outbox'`,
      );
      build = rows[0];
      if (!build) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(build?.command).toBe('CREATE INDEX CONCURRENTLY');

    // The app keeps writing to the table while the build is under way.
    const app = await client();
    await app.query(`SET statement_timeout = '5s'`);
    const started = Date.now();
    await insertOutboxRow(app);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(migration.running()).toBe(true);

    await report.query('COMMIT');
    const result = await migration.exited;
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`Applied migrations: ${MIGRATION}`);
    expect(await indexState()).toEqual([{ valid: true }]);
  }, 90_000);

  it('a build interrupted by MIGRATION_LOCK_TIMEOUT leaves an INVALID index, which the next run drops and builds again', async () => {
    await undoThroughTheIndexMigration();
    const report = await longTransaction();

    const interrupted = await runMigrate(db.url, '1s').exited;
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toMatch(/lock timeout/);
    expect(interrupted.stderr).toContain('run `migrate` again');
    expect(await indexState()).toEqual([{ valid: false }]);
    expect(await applied()).not.toContain(MIGRATION);

    await report.query('ROLLBACK');
    const again = await runMigrate(db.url, '1s').exited;
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`Applied migrations: ${MIGRATION}`);
    expect(await indexState()).toEqual([{ valid: true }]);
    expect(await applied()).toContain(MIGRATION);
  }, 90_000);
});
