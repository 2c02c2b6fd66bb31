import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index.js';

/**
 * `lead.deleted` (issue 24): endpoints may subscribe to it and deliveries carry it; each erasure's audit row names
 * the lead.deleted event it emitted (`lead_erasure.event_id`), from which a replay or redelivery rebuilds that event
 * (it holds ids only, so nothing of it is erased).
 *
 * The widened checks are added NOT VALID and validated after (a short ACCESS EXCLUSIVE lock to swap them, then a scan
 * under SHARE UPDATE EXCLUSIVE that lets the apps write): every existing row passes, the new check only allows more.
 */
export class LeadDeletedEvent1765000024200 implements MigrationInterface {
  name = 'LeadDeletedEvent1765000024200';

  /** Outside a transaction: the index on a live table is built CONCURRENTLY; each step is safe to run again. */
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await replaceCheck(
      queryRunner,
      'endpoint',
      'endpoint_events_check',
      `events <@ ARRAY['lead.created', 'lead.updated', 'lead.deleted']`,
    );
    await replaceCheck(
      queryRunner,
      'delivery',
      'delivery_event_type_check',
      `event_type IN ('lead.created', 'lead.updated', 'lead.deleted')`,
    );
    await queryRunner.query(`ALTER TABLE lead_erasure ADD COLUMN IF NOT EXISTS event_id uuid`);
    await createIndexConcurrently(
      queryRunner,
      'lead_erasure_event',
      `ON lead_erasure (event_id) WHERE event_id IS NOT NULL`,
      {
        unique: true,
      },
    );
    await createIndexConcurrently(
      queryRunner,
      'lead_erasure_site_time',
      `ON lead_erasure (site_id, erased_at DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS lead_erasure_site_time`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_erasure_event`);
    await queryRunner.query(`ALTER TABLE lead_erasure DROP COLUMN IF EXISTS event_id`);
    await queryRunner.query(`DELETE FROM delivery_attempt WHERE event_type = 'lead.deleted'`);
    await queryRunner.query(`DELETE FROM delivery WHERE event_type = 'lead.deleted'`);
    await replaceCheck(
      queryRunner,
      'delivery',
      'delivery_event_type_check',
      `event_type IN ('lead.created', 'lead.updated')`,
    );
    await queryRunner.query(
      `UPDATE endpoint SET events = array_remove(events, 'lead.deleted') WHERE 'lead.deleted' = ANY (events)`,
    );
    await replaceCheck(
      queryRunner,
      'endpoint',
      'endpoint_events_check',
      `events <@ ARRAY['lead.created', 'lead.updated']`,
    );
  }
}

/** One statement swaps the check (no moment without one); the scan of existing rows comes after, not under that lock. */
async function replaceCheck(
  runner: QueryRunner,
  table: string,
  name: string,
  condition: string,
): Promise<void> {
  await runner.query(
    `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}, ADD CONSTRAINT ${name} CHECK (${condition}) NOT VALID`,
  );
  await runner.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`);
}
