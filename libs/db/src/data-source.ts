import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { SafeQueryLogger } from './query-logger.js';

export interface DatabaseSettings {
  url: string;
  /** Pool size for this process. */
  poolSize?: number;
  applicationName?: string;
  /** Log every SQL statement (debugging only). */
  logQueries?: boolean;
  /** Postgres lock_timeout of every session (the migrate command: a DDL never queues the apps behind it). */
  lockTimeoutMs?: number;
}

export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: settings.logQueries ? 'all' : ['error', 'warn'],
    logger: new SafeQueryLogger(settings.logQueries ?? false),
    maxQueryExecutionTime: 5_000,
    poolSize: settings.poolSize ?? 10,
    applicationName: settings.applicationName ?? 'leadhooks',
    extra: {
      // A stuck transaction must not hold a lead row forever (the lease covers crashes; this covers bugs).
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: 10_000,
      ...(settings.lockTimeoutMs === undefined ? {} : { lock_timeout: settings.lockTimeoutMs }),
    },
  };
}

/** The one DataSource factory used by both apps, the migrate command and the CLIs. */
export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
