import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/**
 * An outbox row the broker refuses even alone (larger than its message.max.bytes) is set aside instead of blocking
 * every row behind it: it is marked done (`published_at`, so claims and the backlog pass it) with when and why it
 * was set aside, kept by pruning until someone looks (alert LeadhooksOutboxRowsSetAside), and counted cheaply.
 */
export class OutboxSetAside1765000000700 implements MigrationInterface {
  name = 'OutboxSetAside1765000000700';

  /** Outside a transaction: the index on a live table is built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE outbox ADD COLUMN IF NOT EXISTS set_aside_at timestamptz, ADD COLUMN IF NOT EXISTS set_aside_reason text`,
    );
    await createIndexConcurrently(
      queryRunner,
      'outbox_set_aside',
      'ON outbox (id) WHERE set_aside_at IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS outbox_set_aside`);
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN set_aside_reason, DROP COLUMN set_aside_at`);
  }
}
