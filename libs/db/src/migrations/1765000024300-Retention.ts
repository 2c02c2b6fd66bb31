import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/** Receiver text as the dispatcher stores it (`HTTP 503 Service Unavailable: …`, `mapping: …`): what expires. */
const RECEIVER_TEXT = (column: string) => `${column} ~ '^HTTP [0-9]{3}.' OR ${column} LIKE 'mapping: %'`;

/**
 * Retention (issue 24, docs/privacy.md): the sweep's indexes, so each of its batches reads only what it changes.
 * - `lead_retention`: a site's leads not yet erased, oldest first.
 * - `delivery_attempt_text`, `delivery_receiver_text`, `lead_receiver_text`: rows still holding a receiver's words
 *   (attempt error and snippet, a delivery's or lead's last error), by time.
 * - `site.lead_retention_days` (added by LeadPrivacy) gets its range: 0 keeps the site's leads forever, NULL takes
 *   LEAD_RETENTION_DAYS.
 * - `retention_setting` (added by LeadPrivacy, never used) goes: the global defaults are settings read at start
 *   (LEAD_RETENTION_DAYS, ATTEMPT_TEXT_RETENTION_DAYS, INBOUND_LOG_RETENTION_DAYS).
 */
export class Retention1765000024300 implements MigrationInterface {
  name = 'Retention1765000024300';

  /** Outside a transaction: the indexes on live tables are built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS retention_setting`);
    await queryRunner.query(`ALTER TABLE site DROP CONSTRAINT IF EXISTS site_lead_retention_days_range`);
    await queryRunner.query(
      `ALTER TABLE site ADD CONSTRAINT site_lead_retention_days_range
         CHECK (lead_retention_days BETWEEN 0 AND 36500)`,
    );
    await createIndexConcurrently(
      queryRunner,
      'lead_retention',
      'ON lead (site_id, created_at) WHERE erased_at IS NULL',
    );
    await createIndexConcurrently(
      queryRunner,
      'delivery_attempt_text',
      'ON delivery_attempt (started_at) WHERE error IS NOT NULL OR response_snippet IS NOT NULL',
    );
    await createIndexConcurrently(
      queryRunner,
      'delivery_receiver_text',
      `ON delivery (last_attempt_at) WHERE ${RECEIVER_TEXT('last_error')}`,
    );
    await createIndexConcurrently(
      queryRunner,
      'lead_receiver_text',
      `ON lead (zapier_last_attempt_at) WHERE ${RECEIVER_TEXT('zapier_last_error')}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS lead_receiver_text`);
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_receiver_text`);
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_attempt_text`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_retention`);
    await queryRunner.query(`ALTER TABLE site DROP CONSTRAINT IF EXISTS site_lead_retention_days_range`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS retention_setting (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        lead_retention_days integer,
        attempt_retention_days integer,
        inbound_log_retention_days integer,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO retention_setting (id) VALUES (true) ON CONFLICT DO NOTHING`);
  }
}
