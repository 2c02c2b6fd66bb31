import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE site (
        id uuid PRIMARY KEY,
        hostname text NOT NULL UNIQUE,
        name text NOT NULL,
        zapier_webhook_url text,
        zapier_enabled boolean NOT NULL DEFAULT false,
        zapier_secret text,
        zapier_previous_secret text,
        zapier_previous_secret_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE lead (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES site (id) ON DELETE RESTRICT,
        submitted_at timestamptz NOT NULL,
        page_url text,
        lead_source text,
        form_type text,
        name text,
        email text,
        phone text,
        message text,
        extra jsonb NOT NULL DEFAULT '{}'::jsonb,
        client_ip text,
        user_agent text,
        idempotency_key text,
        event_id uuid NOT NULL,
        zapier_status text CHECK (zapier_status IN ('PENDING', 'SENT', 'FAILED', 'NOT_CONFIGURED')),
        zapier_attempt_count int NOT NULL DEFAULT 0,
        zapier_last_attempt_at timestamptz,
        zapier_last_error text CHECK (char_length(zapier_last_error) <= 500),
        zapier_sent_at timestamptz,
        lock_token uuid,
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX lead_site_idempotency_key ON lead (site_id, idempotency_key)`,
    );
    await queryRunner.query(`CREATE INDEX lead_site_submitted ON lead (site_id, submitted_at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX lead_status_submitted ON lead (zapier_status, submitted_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        aggregate_id uuid NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    // The relay scans unpublished rows; pruning scans published ones. Both partial, both small.
    await queryRunner.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX outbox_unpublished_aggregate ON outbox (aggregate_id, id) WHERE published_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE delivery_attempt (
        id bigserial PRIMARY KEY,
        lead_id uuid NOT NULL REFERENCES lead (id) ON DELETE CASCADE,
        attempt int NOT NULL,
        tier text NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms int NOT NULL,
        http_status int,
        error_class text,
        error text,
        response_snippet text
      )`);
    await queryRunner.query(`CREATE INDEX delivery_attempt_lead ON delivery_attempt (lead_id, attempt)`);
    // Wakes the outbox relay at once; NOTIFY is only a hint, the relay also polls.
    await queryRunner.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_new', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS outbox_notify ON outbox`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS outbox_notify()`);
    await queryRunner.query(`DROP TABLE IF EXISTS delivery_attempt`);
    await queryRunner.query(`DROP TABLE IF EXISTS outbox`);
    await queryRunner.query(`DROP TABLE IF EXISTS lead`);
    await queryRunner.query(`DROP TABLE IF EXISTS site`);
  }
}
