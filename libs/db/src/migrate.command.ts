#!/usr/bin/env node
// `npm run migrate`: applies pending migrations to DATABASE_URL (the compose one-shot runs this too).
import { EnvReader } from '@leadhooks/config';
import { createDataSource } from './data-source.js';
import { runMigrations } from './migrate.js';

async function main(): Promise<void> {
  const env = new EnvReader();
  const url = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  env.done();
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'leadhooks-migrate' });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Schema is up to date.');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
