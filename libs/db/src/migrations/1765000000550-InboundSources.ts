import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound sources (SPEC §14): per site, a tokenized URL other form tools post to, the JSONata mapping from what the
 * tool sends to a lead, and the tool's signature scheme with a sealed secret. The token is kept only as a SHA-256
 * (found by it, never readable) plus a short hint for people. And the inbound request log: one row per request to
 * a source, its body cut and kept for INBOUND_LOG_RETENTION; a row goes with its source, and with its lead when
 * the lead is erased (the body holds the same personal data).
 */
export class InboundSources1765000000550 implements MigrationInterface {
  name = 'InboundSources1765000000550';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE inbound_source (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES site (id) ON DELETE CASCADE,
        name text NOT NULL,
        preset text,
        mapping text NOT NULL,
        signature text NOT NULL DEFAULT 'none',
        secret text,
        token_hash bytea NOT NULL UNIQUE,
        token_hint text NOT NULL,
        token_rotated_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX inbound_source_site_name ON inbound_source (site_id, name)`);
    await queryRunner.query(`
      CREATE TABLE inbound_request (
        id uuid PRIMARY KEY,
        source_id uuid NOT NULL REFERENCES inbound_source (id) ON DELETE CASCADE,
        received_at timestamptz NOT NULL,
        status smallint NOT NULL,
        lead_id uuid REFERENCES lead (id) ON DELETE CASCADE,
        replayed boolean NOT NULL DEFAULT false,
        error text,
        errors jsonb,
        content_type text,
        size_bytes integer NOT NULL,
        duration_ms integer,
        headers jsonb NOT NULL DEFAULT '{}',
        query jsonb NOT NULL DEFAULT '{}',
        body text,
        body_format text,
        body_truncated boolean NOT NULL DEFAULT false
      )`);
    await queryRunner.query(
      `CREATE INDEX inbound_request_source_log ON inbound_request (source_id, received_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX inbound_request_received ON inbound_request (received_at)`);
    await queryRunner.query(
      `CREATE INDEX inbound_request_lead ON inbound_request (lead_id) WHERE lead_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS inbound_request`);
    await queryRunner.query(`DROP TABLE IF EXISTS inbound_source`);
  }
}
