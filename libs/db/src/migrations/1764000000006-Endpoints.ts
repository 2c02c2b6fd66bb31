import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Many destinations per site (SPEC §11): the site's hook becomes its endpoint named `zapier`, and delivery state
 * moves from the lead to one `delivery` row per (event, endpoint).
 *
 * Carried over, in one transaction: every site's hook URL, switch and secrets (still sealed: the values move as
 * they are, so no key is needed here); every lead that had a delivery state (PENDING, SENT, FAILED) gets the
 * delivery of its lead.created event to `zapier` with that state, its lease and its retry position; its attempts
 * are attached to that delivery. `lead.zapier_*` stays, as the mirror of that delivery (what §10 clients read).
 *
 * Its indexes on `lead` and `delivery_attempt` are plain, not CONCURRENTLY (migrations/concurrent-index.ts): the same
 * transaction alters and rewrites both tables, so it holds their ACCESS EXCLUSIVE lock until it commits anyway, and the
 * carry-over must be all or nothing.
 */
export class Endpoints1764000000006 implements MigrationInterface {
  name = 'Endpoints1764000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE endpoint (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        site_id uuid NOT NULL REFERENCES site (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        kind text NOT NULL DEFAULT 'manual' CHECK (kind IN ('manual', 'zapier_rest_hook')),
        url text,
        enabled boolean NOT NULL DEFAULT false,
        events text[] NOT NULL DEFAULT ARRAY['lead.created']
          CHECK (events <@ ARRAY['lead.created', 'lead.updated']),
        auth text NOT NULL DEFAULT 'standard_webhooks'
          CHECK (auth IN ('standard_webhooks', 'secret_header', 'hmac_sha256_hex')),
        format text NOT NULL DEFAULT 'flat' CHECK (format IN ('flat', 'envelope')),
        headers text,
        timeout_ms int CHECK (timeout_ms BETWEEN 1000 AND 30000),
        rate_limit_per_second int CHECK (rate_limit_per_second BETWEEN 1 AND 10000),
        secret text,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX endpoint_site_name ON endpoint (site_id, name) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(`
      INSERT INTO endpoint (site_id, name, url, enabled, secret, previous_secret, previous_secret_expires_at, created_at, updated_at)
      SELECT id, 'zapier', zapier_webhook_url, zapier_enabled, zapier_secret, zapier_previous_secret,
             zapier_previous_secret_expires_at, created_at, updated_at
        FROM site`);

    await queryRunner.query(`
      CREATE TABLE delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL,
        event_type text NOT NULL CHECK (event_type IN ('lead.created', 'lead.updated')),
        lead_id uuid NOT NULL REFERENCES lead (id) ON DELETE CASCADE,
        site_id uuid NOT NULL,
        endpoint_id uuid NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
        mirrors_lead boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
        attempt_count int NOT NULL DEFAULT 0,
        last_attempt_at timestamptz,
        last_status int,
        last_error text CHECK (char_length(last_error) <= 500),
        sent_at timestamptz,
        lock_token uuid,
        locked_until timestamptz,
        next_attempt_at timestamptz,
        cycle_step int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, endpoint_id)
      )`);
    await queryRunner.query(`CREATE INDEX delivery_lead ON delivery (lead_id)`);
    await queryRunner.query(`CREATE INDEX delivery_log ON delivery (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX delivery_site_log ON delivery (site_id, created_at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX delivery_endpoint_log ON delivery (endpoint_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX delivery_pending_next_attempt ON delivery (next_attempt_at) WHERE status = 'PENDING'`,
    );
    await queryRunner.query(`
      INSERT INTO delivery (event_id, event_type, lead_id, site_id, endpoint_id, mirrors_lead, status, attempt_count,
                            last_attempt_at, last_error, sent_at, lock_token, locked_until, next_attempt_at,
                            cycle_step, created_at)
      SELECT l.event_id, 'lead.created', l.id, l.site_id, e.id, true, l.zapier_status, l.zapier_attempt_count,
             l.zapier_last_attempt_at, l.zapier_last_error, l.zapier_sent_at, l.lock_token, l.locked_until,
             l.zapier_next_attempt_at, l.zapier_cycle_step, l.created_at
        FROM lead l JOIN endpoint e ON e.site_id = l.site_id AND e.name = 'zapier'
       WHERE l.zapier_status IN ('PENDING', 'SENT', 'FAILED')`);
    await queryRunner.query(`
      UPDATE delivery d SET last_status = a.http_status
        FROM (SELECT DISTINCT ON (lead_id) lead_id, http_status FROM delivery_attempt ORDER BY lead_id, id DESC) a
       WHERE a.lead_id = d.lead_id`);

    // No foreign key to delivery: attempts are only written by the statement that updates their delivery, and
    // both go with their lead (ON DELETE CASCADE from lead). A key check per attempt would cost a lookup on the
    // hottest path, planned once per session while the table is young (a sequential scan that then grows with it).
    await queryRunner.query(`
      ALTER TABLE delivery_attempt
        ADD COLUMN delivery_id uuid,
        ADD COLUMN endpoint_id uuid,
        ADD COLUMN event_type text NOT NULL DEFAULT 'lead.created'`);
    await queryRunner.query(`
      UPDATE delivery_attempt a SET delivery_id = d.id, endpoint_id = d.endpoint_id
        FROM delivery d WHERE d.lead_id = a.lead_id AND d.mirrors_lead`);
    await queryRunner.query(
      `CREATE INDEX delivery_attempt_endpoint_time ON delivery_attempt (endpoint_id, started_at DESC)`,
    );

    // lead.updated: a version per change, and every event kept so a delivery of it can be replayed later.
    await queryRunner.query(`
      ALTER TABLE lead
        ADD COLUMN version int NOT NULL DEFAULT 1,
        ADD COLUMN updated_at timestamptz,
        ADD COLUMN fanned_out_at timestamptz`);
    // Every existing lead's event was fanned out already (or its delivery above carries it).
    await queryRunner.query(`UPDATE lead SET fanned_out_at = created_at`);
    await queryRunner.query(
      `CREATE INDEX lead_not_fanned_out ON lead (created_at) WHERE fanned_out_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE lead_update (
        event_id uuid PRIMARY KEY,
        lead_id uuid NOT NULL REFERENCES lead (id) ON DELETE CASCADE,
        version int NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        fanned_out_at timestamptz,
        UNIQUE (lead_id, version)
      )`);
    await queryRunner.query(
      `CREATE INDEX lead_update_not_fanned_out ON lead_update (created_at) WHERE fanned_out_at IS NULL`,
    );

    // Two dead-letter topics now: an item names its topic, and the delivery it put back.
    await queryRunner.query(`
      ALTER TABLE dlt_replay_item ADD COLUMN delivery_id uuid,
        ADD COLUMN dlt_topic text NOT NULL DEFAULT 'lead.created.dlt',
        DROP CONSTRAINT dlt_replay_item_pkey,
        ADD PRIMARY KEY (replay_id, dlt_topic, dlt_partition, dlt_offset)`);
    await queryRunner.query(`DROP INDEX IF EXISTS dlt_replay_item_message`);
    await queryRunner.query(
      `CREATE INDEX dlt_replay_item_message ON dlt_replay_item (dlt_topic, dlt_partition, dlt_offset)`,
    );

    // The lock and the retry position now live on the delivery; the site's hook on its endpoint.
    await queryRunner.query(`DROP INDEX IF EXISTS lead_pending_next_attempt`);
    await queryRunner.query(`
      ALTER TABLE lead DROP COLUMN lock_token, DROP COLUMN locked_until, DROP COLUMN zapier_next_attempt_at,
                       DROP COLUMN zapier_cycle_step`);
    await queryRunner.query(`
      ALTER TABLE site DROP COLUMN zapier_webhook_url, DROP COLUMN zapier_enabled, DROP COLUMN zapier_secret,
                       DROP COLUMN zapier_previous_secret, DROP COLUMN zapier_previous_secret_expires_at`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE site ADD COLUMN zapier_webhook_url text, ADD COLUMN zapier_enabled boolean NOT NULL DEFAULT false,
                       ADD COLUMN zapier_secret text, ADD COLUMN zapier_previous_secret text,
                       ADD COLUMN zapier_previous_secret_expires_at timestamptz`);
    await queryRunner.query(`
      UPDATE site s SET zapier_webhook_url = e.url, zapier_enabled = e.enabled, zapier_secret = e.secret,
                        zapier_previous_secret = e.previous_secret,
                        zapier_previous_secret_expires_at = e.previous_secret_expires_at
        FROM endpoint e WHERE e.site_id = s.id AND e.name = 'zapier' AND e.deleted_at IS NULL`);
    await queryRunner.query(`
      ALTER TABLE lead ADD COLUMN lock_token uuid, ADD COLUMN locked_until timestamptz,
                       ADD COLUMN zapier_next_attempt_at timestamptz, ADD COLUMN zapier_cycle_step int NOT NULL DEFAULT 0`);
    await queryRunner.query(`
      UPDATE lead l SET lock_token = d.lock_token, locked_until = d.locked_until,
                        zapier_next_attempt_at = d.next_attempt_at, zapier_cycle_step = d.cycle_step
        FROM delivery d WHERE d.lead_id = l.id AND d.mirrors_lead`);
    await queryRunner.query(
      `CREATE INDEX lead_pending_next_attempt ON lead (zapier_next_attempt_at) WHERE zapier_status = 'PENDING'`,
    );
    await queryRunner.query(`DELETE FROM dlt_replay_item WHERE dlt_topic <> 'lead.created.dlt'`);
    await queryRunner.query(`DROP INDEX IF EXISTS dlt_replay_item_message`);
    await queryRunner.query(`
      ALTER TABLE dlt_replay_item DROP CONSTRAINT dlt_replay_item_pkey, DROP COLUMN delivery_id, DROP COLUMN dlt_topic,
        ADD PRIMARY KEY (replay_id, dlt_partition, dlt_offset)`);
    await queryRunner.query(
      `CREATE INDEX dlt_replay_item_message ON dlt_replay_item (dlt_partition, dlt_offset)`,
    );
    await queryRunner.query(`DROP TABLE lead_update`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_not_fanned_out`);
    await queryRunner.query(
      `ALTER TABLE lead DROP COLUMN version, DROP COLUMN updated_at, DROP COLUMN fanned_out_at`,
    );
    await queryRunner.query(`DELETE FROM delivery_attempt WHERE event_type <> 'lead.created'`);
    await queryRunner.query(
      `DELETE FROM delivery_attempt a USING delivery d WHERE d.id = a.delivery_id AND NOT d.mirrors_lead`,
    );
    await queryRunner.query(
      `ALTER TABLE delivery_attempt DROP COLUMN delivery_id, DROP COLUMN endpoint_id, DROP COLUMN event_type`,
    );
    await queryRunner.query(`DROP TABLE delivery`);
    await queryRunner.query(`DROP TABLE endpoint`);
  }
}
