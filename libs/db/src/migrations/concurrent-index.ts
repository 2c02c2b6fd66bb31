import type { QueryRunner } from 'typeorm';

/**
 * Index builds on tables that already hold rows, for migrations declared `transaction = false` (Postgres refuses
 * `CONCURRENTLY` inside a transaction): the build takes a SHARE UPDATE EXCLUSIVE lock, so the running apps keep
 * inserting and updating the table while it runs (a plain CREATE INDEX blocks every write until it ends).
 *
 * A build that was interrupted (a lock timeout while it waited for older transactions, a cancel, a crash) leaves an
 * INVALID index of that name behind: `IF NOT EXISTS` alone would keep it, unused by queries but updated by every
 * write. It is dropped, concurrently too, before the build is tried again, so running `migrate` again recovers.
 *
 * `down` drops such an index plainly (`DROP INDEX IF EXISTS`): quick, and undoing runs in any transaction mode.
 *
 * @param definition what follows the index name, e.g. `ON lead (created_at) WHERE fanned_out_at IS NULL`
 */
export async function createIndexConcurrently(
  runner: QueryRunner,
  name: string,
  definition: string,
  { unique = false }: { unique?: boolean } = {},
): Promise<void> {
  const leftover = (await runner.query(
    `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`,
    [name],
  )) as unknown[];
  if (leftover.length) await runner.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await runner.query(
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${name} ${definition}`,
  );
}
