import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-endpoint policy and outbound mapping (SPEC §14): a description, a JSONata `mapping` for `format: custom`, the
 * `hmac_sha256_hex` header's `signature_prefix` (null: `sha256=`), `max_attempts` (null: 6 = first try + five tiers),
 * `retry_on_4xx`, and a staged secret for the two-step rotation of `secret_header` and `hmac_sha256_hex` (sealed,
 * sent only once activated, or from `next_secret_activates_at`).
 */
export class EndpointPolicy1765000000800 implements MigrationInterface {
  name = 'EndpointPolicy1765000000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE endpoint
        ADD COLUMN description text,
        ADD COLUMN mapping text,
        ADD COLUMN signature_prefix text,
        ADD COLUMN max_attempts smallint CHECK (max_attempts BETWEEN 1 AND 6),
        ADD COLUMN retry_on_4xx boolean NOT NULL DEFAULT true,
        ADD COLUMN next_secret text,
        ADD COLUMN next_secret_activates_at timestamptz,
        ADD CONSTRAINT endpoint_signature_prefix_check CHECK (signature_prefix IN ('sha256=', '')),
        ADD CONSTRAINT endpoint_custom_has_mapping CHECK (format <> 'custom' OR mapping IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE endpoint DROP CONSTRAINT endpoint_format_check`);
    await queryRunner.query(
      `ALTER TABLE endpoint ADD CONSTRAINT endpoint_format_check CHECK (format IN ('flat', 'envelope', 'custom'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE endpoint SET format = 'flat' WHERE format = 'custom'`);
    await queryRunner.query(`ALTER TABLE endpoint DROP CONSTRAINT endpoint_format_check`);
    await queryRunner.query(
      `ALTER TABLE endpoint ADD CONSTRAINT endpoint_format_check CHECK (format IN ('flat', 'envelope'))`,
    );
    await queryRunner.query(`
      ALTER TABLE endpoint
        DROP CONSTRAINT IF EXISTS endpoint_custom_has_mapping,
        DROP CONSTRAINT IF EXISTS endpoint_signature_prefix_check,
        DROP COLUMN IF EXISTS next_secret_activates_at,
        DROP COLUMN IF EXISTS next_secret,
        DROP COLUMN IF EXISTS retry_on_4xx,
        DROP COLUMN IF EXISTS max_attempts,
        DROP COLUMN IF EXISTS signature_prefix,
        DROP COLUMN IF EXISTS mapping,
        DROP COLUMN IF EXISTS description`);
  }
}
