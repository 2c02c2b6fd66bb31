import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/**
 * `lead_erasure.fanned_out_at` (issue 24): when a lead.deleted was fanned out (its deliveries created, or none to
 * create), as `lead.fanned_out_at` and `lead_update.fanned_out_at` say it for the other events. The dispatcher's
 * stranded sweep publishes again a lead.deleted still NULL after SWEEP_MARGIN (its message lost before any
 * dispatcher handled it); `lead_erasure_not_fanned_out` keeps that look-up to the few rows still waiting.
 *
 * Erasures made before this migration count as fanned out (their time is the erasure's): the sweep starts from here.
 * An erasure whose lead.deleted a dispatcher of the previous version handles during the roll stays NULL and is
 * published once more by the sweep; harmless (deliveries are unique per event and endpoint, and pass the delivery lock).
 */
export class LeadDeletedFanOut1765000024400 implements MigrationInterface {
  name = 'LeadDeletedFanOut1765000024400';

  /** Outside a transaction: the index on a live table is built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    const added = (await queryRunner.query(
      `SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'lead_erasure' AND column_name = 'fanned_out_at'`,
    )) as unknown[];
    if (!added.length) {
      // One transaction: the column and its backfill together, so a second run never marks newer erasures.
      await queryRunner.startTransaction();
      try {
        await queryRunner.query(`ALTER TABLE lead_erasure ADD COLUMN fanned_out_at timestamptz`);
        await queryRunner.query(`UPDATE lead_erasure SET fanned_out_at = erased_at`);
        await queryRunner.commitTransaction();
      } catch (error) {
        await queryRunner.rollbackTransaction();
        throw error;
      }
    }
    await createIndexConcurrently(
      queryRunner,
      'lead_erasure_not_fanned_out',
      'ON lead_erasure (erased_at) WHERE fanned_out_at IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS lead_erasure_not_fanned_out`);
    await queryRunner.query(`ALTER TABLE lead_erasure DROP COLUMN IF EXISTS fanned_out_at`);
  }
}
