import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/**
 * Site API keys (SPEC §12): keys that act for one site only (Zapier's connection), stored as SHA-256 hashes and
 * found by their prefix. Plus the lookups of inbound search (`GET /v1/leads/search?email=|phone=`): a lead by its
 * email regardless of case, or by the digits of its phone, within its site.
 */
export class SiteApiKeys1764000000007 implements MigrationInterface {
  name = 'SiteApiKeys1764000000007';

  /** Outside a transaction: the index on a live table is built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS site_api_key (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES site (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS site_api_key_site ON site_api_key (site_id, created_at)`,
    );
    await createIndexConcurrently(
      queryRunner,
      'lead_site_email_ci',
      `ON lead (site_id, lower(email), submitted_at DESC) WHERE email IS NOT NULL`,
    );
    await createIndexConcurrently(
      queryRunner,
      'lead_site_phone_digits',
      `ON lead (site_id, regexp_replace(phone, '\\D', '', 'g'), submitted_at DESC) WHERE phone IS NOT NULL`,
    );
    await createIndexConcurrently(
      queryRunner,
      'delivery_failed_log',
      `ON delivery (created_at DESC, id DESC) WHERE status = 'FAILED'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_failed_log`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_site_phone_digits`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_site_email_ci`);
    await queryRunner.query(`DROP TABLE IF EXISTS site_api_key`);
  }
}
