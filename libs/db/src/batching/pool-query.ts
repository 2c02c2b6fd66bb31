import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { SafeQueryLogger } from '../query-logger.js';

export type PoolQuery = <T>(text: string, values: unknown[]) => Promise<T[]>;

/**
 * Runs a statement straight on the pg pool TypeORM holds, for the delivery hot path (fan-out, claim, outcome
 * group commits): `DataSource.query` makes, wraps and releases a QueryRunner per call, which the CPU profile put
 * at ~14% of the dispatcher's time. Same pool, same connections and settings; a failure is logged the way the
 * DataSource logs it (first line of the statement, never its parameters) and rethrown.
 */
export function poolQuery(dataSource: DataSource): PoolQuery {
  const logger = new SafeQueryLogger();
  let pool: Pool | undefined;
  return async <T>(text: string, values: unknown[]): Promise<T[]> => {
    pool ??= (dataSource.driver as unknown as { master: Pool }).master;
    try {
      return (await pool.query(text, values)).rows as T[];
    } catch (error) {
      logger.logQueryError(error as Error, text);
      throw error;
    }
  };
}
