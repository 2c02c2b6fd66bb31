import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data (issue 24, docs/privacy.md).
 * - `lead_key`: each lead's data key (AES-256-GCM), sealed at rest with the credentials' key. Events outside the lead
 *   row (outbox, every Kafka topic) carry the lead's personal data only under this key; erasure destroys it
 *   (`sealed_key` NULL, `erased_at` set), which makes every copy unreadable. The row stays as the erasure's mark
 *   the dispatcher's claim reads (one primary-key join).
 * - `lead.erased_at`: the lead row after erasure is a tombstone (ids, times, delivery state; no personal field).
 * - `lead_erasure`: the audit of erasures: who, when, why, what was erased (counts); no personal data.
 * - Retention: per site (`site.lead_retention_days`, NULL: the global default) and the global settings row.
 */
export class LeadPrivacy1765000024000 implements MigrationInterface {
  name = 'LeadPrivacy1765000024000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE lead_key (
        lead_id uuid PRIMARY KEY,
        sealed_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CONSTRAINT lead_key_erased_has_no_key CHECK (erased_at IS NULL OR sealed_key IS NULL)
      )`);
    await queryRunner.query(`ALTER TABLE lead ADD COLUMN erased_at timestamptz`);
    await queryRunner.query(`
      CREATE TABLE lead_erasure (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        lead_id uuid NOT NULL,
        site_id uuid NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now(),
        erased_by text NOT NULL,
        reason text NOT NULL,
        erased jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX lead_erasure_lead ON lead_erasure (lead_id)`);
    await queryRunner.query(`CREATE INDEX lead_erasure_time ON lead_erasure (erased_at DESC)`);
    await queryRunner.query(`ALTER TABLE site ADD COLUMN lead_retention_days integer`);
    await queryRunner.query(`
      CREATE TABLE retention_setting (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        lead_retention_days integer,
        attempt_retention_days integer,
        inbound_log_retention_days integer,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO retention_setting (id) VALUES (true)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS retention_setting`);
    await queryRunner.query(`ALTER TABLE site DROP COLUMN IF EXISTS lead_retention_days`);
    await queryRunner.query(`DROP TABLE IF EXISTS lead_erasure`);
    await queryRunner.query(`ALTER TABLE lead DROP COLUMN IF EXISTS erased_at`);
    await queryRunner.query(`DROP TABLE IF EXISTS lead_key`);
  }
}
