import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { SafeQueryLogger } from '../query-logger.js';

export type PoolQuery = <T>(text: string, values: unknown[]) => Promise<T[]>;

/**
 * Runs a hot-path statement (intake, fan-out, claim, outcome group commits) straight on the pg pool TypeORM holds,
 * as a named prepared statement:
 * - `DataSource.query` makes, wraps and releases a QueryRunner per call, which the CPU profile put at ~14% of the
 *   dispatcher's time;
 * - an unnamed statement is parsed and planned by Postgres on every call. These CTEs take 2–5 ms to plan, as long
 *   as they take to run (`EXPLAIN (ANALYZE, SUMMARY)`), so each connection prepares them once and Postgres plans
 *   them from its plan cache (custom plans first, a generic plan once it costs no more).
 *
 * The name is a digest of the text, so a statement can never be prepared under another one's name. Same pool,
 * same connections and settings; a failure is logged the way the DataSource logs it (first line of the statement,
 * never its parameters) and rethrown.
 */
/** The pg pool behind a TypeORM DataSource (same connections, same settings). */
export function pgPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

export function poolQuery(dataSource: DataSource): PoolQuery {
  const logger = new SafeQueryLogger();
  const names = new Map<string, string>();
  let pool: Pool | undefined;
  return async <T>(text: string, values: unknown[]): Promise<T[]> => {
    pool ??= pgPool(dataSource);
    let name = names.get(text);
    if (!name) {
      name = `lh_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
      names.set(text, name);
    }
    try {
      return (await pool.query<T & object>({ name, text, values })).rows;
    } catch (error) {
      logger.logQueryError(error as Error, text);
      throw error;
    }
  };
}
