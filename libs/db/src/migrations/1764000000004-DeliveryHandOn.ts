import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/**
 * Hardening of the delivery path:
 * - outbox rows name their topic, so the dispatcher hands a failed lead on to its next tier (or the DLT) in the
 *   same transaction that records the failure (no window where one happened without the other);
 * - a lead records when its next attempt is due and in which step of its retry cycle, so a sweep can find a
 *   PENDING lead that nothing will ever attempt again;
 * - an attempt whose lease was lost before its outcome was recorded is still a row, marked as such.
 */
export class DeliveryHandOn1764000000004 implements MigrationInterface {
  name = 'DeliveryHandOn1764000000004';

  /** Outside a transaction: the index on a live table is built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE outbox ADD COLUMN IF NOT EXISTS topic text NOT NULL DEFAULT 'lead.created'`,
    );
    await queryRunner.query(
      `ALTER TABLE lead ADD COLUMN IF NOT EXISTS zapier_next_attempt_at timestamptz, ADD COLUMN IF NOT EXISTS zapier_cycle_step int NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(
      `UPDATE lead SET zapier_next_attempt_at = coalesce(zapier_last_attempt_at, created_at) WHERE zapier_status = 'PENDING' AND zapier_next_attempt_at IS NULL`,
    );
    await createIndexConcurrently(
      queryRunner,
      'lead_pending_next_attempt',
      `ON lead (zapier_next_attempt_at) WHERE zapier_status = 'PENDING'`,
    );
    await queryRunner.query(
      `ALTER TABLE delivery_attempt ADD COLUMN IF NOT EXISTS lease_lost boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE delivery_attempt DROP COLUMN lease_lost`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_pending_next_attempt`);
    await queryRunner.query(
      `ALTER TABLE lead DROP COLUMN zapier_cycle_step, DROP COLUMN zapier_next_attempt_at`,
    );
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN topic`);
  }
}
