import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the per-insert NOTIFY trigger on outbox. A NOTIFY takes a cluster-wide lock at commit, so one per
 * intake transaction serialised every commit (measured: 2,161 → 886 inserts/s on 2 cores). Writers now
 * wake relays themselves: leads-api wakes its in-process relay directly and sends a throttled NOTIFY on
 * OUTBOX_CHANNEL for relays in other processes; polling stays the fallback.
 */
export class OutboxWakeFromApp1764000000003 implements MigrationInterface {
  name = 'OutboxWakeFromApp1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS outbox_notify ON outbox`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS outbox_notify()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_new', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
    );
  }
}
