#!/usr/bin/env node
// `npm run migrate`: applies pending migrations to DATABASE_URL (the compose one-shot runs this too).
import { EnvReader, exitUnlessCommandRuns } from '@leadhooks/config';
import { createDataSource } from './data-source.js';
import { runMigrations } from './migrate.js';

const USAGE = `
Usage: npm run migrate   (in an image: node libs/db/dist/migrate.command.js)

Applies the pending database migrations, each in the order it was written; indexes on live tables are built
CONCURRENTLY, and every statement waits at most MIGRATION_LOCK_TIMEOUT (default 5s) for a lock, so a migration
never queues the running apps' queries behind it (it fails instead; run it again).

Environment:
  DATABASE_URL            postgres://user:password@host:5432/database (required)
  MIGRATION_LOCK_TIMEOUT  how long a statement may wait for a table lock (default 5s)
`;

exitUnlessCommandRuns(USAGE);

async function main(): Promise<void> {
  const env = new EnvReader();
  const url = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const lockTimeoutMs = env.durationMs('MIGRATION_LOCK_TIMEOUT', '5s');
  env.done();
  const dataSource = createDataSource({
    url,
    poolSize: 2,
    applicationName: 'leadhooks-migrate',
    lockTimeoutMs,
  });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Schema is up to date.');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    /lock timeout/i.test(message)
      ? `${message}: a table the migration changes is locked by a running transaction; the failed migration was rolled back (an index it was building concurrently is dropped and built again), run \`migrate\` again (MIGRATION_LOCK_TIMEOUT sets how long to wait)`
      : message,
  );
  process.exit(1);
});
