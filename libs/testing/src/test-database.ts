import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@leadhooks/db';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.LEADHOOKS_TEST_SERVER_URL;
  if (!url)
    throw new Error(
      'LEADHOOKS_TEST_SERVER_URL is not set: run tests through Jest (its global setup provisions Postgres)',
    );
  return url;
}

/** A fresh, migrated database on the real test server, private to one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `lh_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const dataSource = createDataSource({
    url: url.toString(),
    poolSize: 5,
    applicationName: 'leadhooks-test',
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return {
    url: url.toString(),
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      const client = new pg.Client({ connectionString: serverUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
