import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/** Recent attempts are read by time (failing destinations, delivery stats): an index on started_at. */
export class AttemptTimeIndex1764000000005 implements MigrationInterface {
  name = 'AttemptTimeIndex1764000000005';

  /** Outside a transaction: the index on a live table is built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      queryRunner,
      'delivery_attempt_started_at',
      'ON delivery_attempt (started_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_attempt_started_at`);
  }
}
