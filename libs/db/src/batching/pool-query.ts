import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { SafeQueryLogger } from '../query-logger.js';

export type PoolQuery = <T>(text: string, values: unknown[]) => Promise<T[]>;

/** The pg pool behind a TypeORM DataSource (same connections, same settings). */
export function pgPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/**
 * Named statements one `poolQuery` prepares, at most. Hot statements are fixed texts (a handful per repository);
 * every name is also kept by pg on each pool connection and by Postgres in each backend, for the connection's life,
 * so a text built per call (values inlined by mistake) would grow all three without end. Past the bound, further
 * texts run unnamed (parsed on each call) and a warning names the first of them.
 */
export const MAX_NAMED_STATEMENTS = 64;

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
export function poolQuery(dataSource: DataSource): PoolQuery {
  const logger = new SafeQueryLogger();
  const names = new Map<string, string>();
  let warned = false;
  let pool: Pool | undefined;
  return async <T>(text: string, values: unknown[]): Promise<T[]> => {
    pool ??= pgPool(dataSource);
    let name = names.get(text);
    if (!name && names.size < MAX_NAMED_STATEMENTS) {
      name = `lh_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
      names.set(text, name);
    } else if (!name && !warned) {
      warned = true;
      new Logger('PoolQuery').warn(
        `More than ${MAX_NAMED_STATEMENTS} distinct hot statements: running the rest unprepared (is one built per call?): ${text.split('\n')[0].slice(0, 120)}`,
      );
    }
    try {
      return (await pool.query<T & object>(name ? { name, text, values } : { text, values })).rows;
    } catch (error) {
      logger.logQueryError(error as Error, text);
      throw error;
    }
  };
}
