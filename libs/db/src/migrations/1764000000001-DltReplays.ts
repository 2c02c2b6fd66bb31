import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Replays of dead-lettered leads (SPEC §7): who replayed what, when, with which filter, and each item. */
export class DltReplays1764000000001 implements MigrationInterface {
  name = 'DltReplays1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dlt_replay (
        id uuid PRIMARY KEY,
        actor text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        filter jsonb NOT NULL,
        dry_run boolean NOT NULL DEFAULT false,
        selected int NOT NULL DEFAULT 0,
        replayed int NOT NULL DEFAULT 0,
        skipped int NOT NULL DEFAULT 0,
        failed int NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`
      CREATE TABLE dlt_replay_item (
        replay_id uuid NOT NULL REFERENCES dlt_replay (id) ON DELETE CASCADE,
        lead_id uuid NOT NULL,
        dlt_partition int NOT NULL,
        dlt_offset bigint NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('replayed', 'skipped-sent', 'skipped-in-flight', 'skipped-missing', 'failed')),
        detail text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (replay_id, dlt_partition, dlt_offset)
      )`);
    await queryRunner.query(
      `CREATE INDEX dlt_replay_item_message ON dlt_replay_item (dlt_partition, dlt_offset)`,
    );
    await queryRunner.query(`CREATE INDEX dlt_replay_item_lead ON dlt_replay_item (lead_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS dlt_replay_item`);
    await queryRunner.query(`DROP TABLE IF EXISTS dlt_replay`);
  }
}
