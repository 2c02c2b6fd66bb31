import { DataSource } from 'typeorm';

// Arbitrary constant: every process migrating this database serialises on it.
const MIGRATION_LOCK_ID = 7_240_118_001;

/**
 * Runs pending migrations under a Postgres advisory lock, so several replicas (or test workers)
 * starting at once do not race. Returns the names of the migrations applied.
 *
 * Each migration runs in its own transaction, except those declaring `transaction = false`: they build indexes on
 * live tables CONCURRENTLY (migrations/concurrent-index.ts), which Postgres refuses inside a transaction, and every
 * step of theirs is safe to run again after an interruption. The session's lock_timeout (MIGRATION_LOCK_TIMEOUT)
 * bounds every lock wait, including a concurrent build's wait for older transactions.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Waiting for another migrator is fine however long it takes (lock_timeout is for the DDL's table locks).
    await runner.query('SET lock_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await runner.release();
  }
}

/** Fails when the schema is behind the code (used at app start-up: apps never migrate implicitly). */
export async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  const pending = await dataSource.showMigrations();
  if (pending) {
    throw new Error(
      'The database schema is not up to date: run `npm run migrate` (or the migrate one-shot) first.',
    );
  }
}
