import type { DataSource } from 'typeorm';

/** Receiver text as the dispatcher stores it (`HTTP 503 Service Unavailable: …`, `mapping: …`); see the migration. */
const RECEIVER_TEXT = (column: string) => `(${column} ~ '^HTTP [0-9]{3}.' OR ${column} LIKE 'mapping: %')`;

/**
 * What the retention sweep and site deletion read and change (docs/privacy.md), each statement bounded by a batch
 * size: the sweep never holds one long transaction, and every statement uses an index that holds only what is left
 * to do (migration Retention1765000024300).
 */
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Up to `batch` leads past their site's retention (`site.lead_retention_days`, or `defaultDays` when NULL; 0 keeps
   * forever), oldest first, not erased yet.
   */
  async expiredLeadIds(defaultDays: number, batch: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT l.id
         FROM site s
         CROSS JOIN LATERAL (
           SELECT id, created_at FROM lead
            WHERE site_id = s.id AND erased_at IS NULL
              AND created_at < now() - make_interval(days => coalesce(s.lead_retention_days, $1))
            ORDER BY created_at LIMIT $2) l
        WHERE coalesce(s.lead_retention_days, $1) > 0
        ORDER BY l.created_at LIMIT $2`,
      [defaultDays, batch],
    );
    return rows.map((row) => row.id);
  }

  /** Up to `batch` of a site's leads not erased yet (site deletion erases them all). */
  async siteLeadIds(siteId: string, batch: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM lead WHERE site_id = $1 AND erased_at IS NULL ORDER BY created_at LIMIT $2`,
      [siteId, batch],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Clears up to `batch` attempts' error texts and response snippets recorded before `before` (status, timing and
   * error class stay); returns how many.
   */
  async clearAttemptTexts(before: Date, batch: number): Promise<number> {
    const [, cleared]: [unknown, number] = await this.dataSource.query(
      `UPDATE delivery_attempt SET error = NULL, response_snippet = NULL
        WHERE id IN (SELECT id FROM delivery_attempt
                      WHERE started_at < $1 AND (error IS NOT NULL OR response_snippet IS NOT NULL)
                      ORDER BY started_at LIMIT $2)`,
      [before, batch],
    );
    return cleared;
  }

  /**
   * Cuts a delivery's (and its lead's mirror of the `zapier` delivery's) last error back to what carries no
   * receiver text, `HTTP 503` or `mapping`, once its last attempt is older than `before`; up to `batch` rows of
   * each; returns how many.
   */
  async trimLastErrors(before: Date, batch: number): Promise<number> {
    const cut = (column: string) =>
      `CASE WHEN ${column} LIKE 'mapping: %' THEN 'mapping' ELSE substring(${column} FROM '^HTTP [0-9]{3}') END`;
    const [, deliveries]: [unknown, number] = await this.dataSource.query(
      `UPDATE delivery SET last_error = ${cut('last_error')}
        WHERE id IN (SELECT id FROM delivery WHERE last_attempt_at < $1 AND ${RECEIVER_TEXT('last_error')}
                      ORDER BY last_attempt_at LIMIT $2)`,
      [before, batch],
    );
    const [, leads]: [unknown, number] = await this.dataSource.query(
      `UPDATE lead SET zapier_last_error = ${cut('zapier_last_error')}
        WHERE id IN (SELECT id FROM lead WHERE zapier_last_attempt_at < $1 AND ${RECEIVER_TEXT('zapier_last_error')}
                      ORDER BY zapier_last_attempt_at LIMIT $2)`,
      [before, batch],
    );
    return deliveries + leads;
  }

  /**
   * Deletes up to `batch` of a site's erased leads (tombstones) and, with them, their deliveries, attempts and
   * data-key marks; returns how many leads went. The audit rows (`lead_erasure`) stay.
   */
  async deleteErasedLeads(siteId: string, batch: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // DELETE … RETURNING answers [rows, count] through TypeORM's driver.
      const [rows]: [Array<{ id: string }>, number] = await manager.query(
        `DELETE FROM lead WHERE id IN (
           SELECT id FROM lead WHERE site_id = $1 AND erased_at IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [siteId, batch],
      );
      if (rows.length)
        await manager.query(`DELETE FROM lead_key WHERE lead_id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  /**
   * Deletes the site (its endpoints, keys, sources and their logs go with it) if it has no lead left, in one
   * transaction that locks the site row first: a lead intake commits meanwhile makes this answer `has-leads` (the
   * caller erases it and tries again), never a site deleted under a lead nobody erased.
   */
  async deleteSiteIfEmpty(siteId: string): Promise<'deleted' | 'missing' | 'has-leads'> {
    return this.dataSource.transaction(async (manager) => {
      const site: Array<{ id: string }> = await manager.query(
        `SELECT id FROM site WHERE id = $1 FOR UPDATE`,
        [siteId],
      );
      if (!site.length) return 'missing';
      const left: Array<{ id: string }> = await manager.query(
        `SELECT id FROM lead WHERE site_id = $1 LIMIT 1`,
        [siteId],
      );
      if (left.length) return 'has-leads';
      await manager.query(`DELETE FROM site WHERE id = $1`, [siteId]);
      return 'deleted';
    });
  }

  /**
   * Runs `work` while holding the retention advisory lock (one sweep at a time across leads-api replicas);
   * undefined when another process holds it. A session lock on one pinned connection: it ends with the process.
   */
  async withSweepLock<T>(work: () => Promise<T>): Promise<T | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        RETENTION_LOCK_ID,
      ])) as Array<{ locked: boolean }>;
      if (rows[0]?.locked !== true) return undefined;
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_ID]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }
}

// Arbitrary constant beside the migration's (…001) and the re-drive's (…002): leads-api replicas serialise sweeps on it.
const RETENTION_LOCK_ID = 7_240_118_024;
