import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin API keys: only a SHA-256 of the secret is stored; the prefix finds the row without a scan. */
export class ApiKeys1764000000002 implements MigrationInterface {
  name = 'ApiKeys1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS api_key`);
  }
}
