import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Recent attempts are read by time (failing destinations, delivery stats): an index on started_at. */
export class AttemptTimeIndex1764000000005 implements MigrationInterface {
  name = 'AttemptTimeIndex1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX delivery_attempt_started_at ON delivery_attempt (started_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_attempt_started_at`);
  }
}
