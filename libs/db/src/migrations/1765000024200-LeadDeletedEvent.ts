import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `lead.deleted` (issue 24): endpoints may subscribe to it and deliveries carry it; each erasure's audit row names
 * the lead.deleted event it emitted (`lead_erasure.event_id`), from which a replay or redelivery rebuilds that event
 * (it holds ids only, so nothing of it is erased).
 */
export class LeadDeletedEvent1765000024200 implements MigrationInterface {
  name = 'LeadDeletedEvent1765000024200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE endpoint DROP CONSTRAINT endpoint_events_check`);
    await queryRunner.query(
      `ALTER TABLE endpoint ADD CONSTRAINT endpoint_events_check
         CHECK (events <@ ARRAY['lead.created', 'lead.updated', 'lead.deleted'])`,
    );
    await queryRunner.query(`ALTER TABLE delivery DROP CONSTRAINT delivery_event_type_check`);
    await queryRunner.query(
      `ALTER TABLE delivery ADD CONSTRAINT delivery_event_type_check
         CHECK (event_type IN ('lead.created', 'lead.updated', 'lead.deleted'))`,
    );
    await queryRunner.query(`ALTER TABLE lead_erasure ADD COLUMN event_id uuid`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX lead_erasure_event ON lead_erasure (event_id) WHERE event_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX lead_erasure_site_time ON lead_erasure (site_id, erased_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS lead_erasure_site_time`);
    await queryRunner.query(`DROP INDEX IF EXISTS lead_erasure_event`);
    await queryRunner.query(`ALTER TABLE lead_erasure DROP COLUMN IF EXISTS event_id`);
    await queryRunner.query(`DELETE FROM delivery_attempt WHERE event_type = 'lead.deleted'`);
    await queryRunner.query(`DELETE FROM delivery WHERE event_type = 'lead.deleted'`);
    await queryRunner.query(`ALTER TABLE delivery DROP CONSTRAINT delivery_event_type_check`);
    await queryRunner.query(
      `ALTER TABLE delivery ADD CONSTRAINT delivery_event_type_check
         CHECK (event_type IN ('lead.created', 'lead.updated'))`,
    );
    await queryRunner.query(
      `UPDATE endpoint SET events = array_remove(events, 'lead.deleted') WHERE 'lead.deleted' = ANY (events)`,
    );
    await queryRunner.query(`ALTER TABLE endpoint DROP CONSTRAINT endpoint_events_check`);
    await queryRunner.query(
      `ALTER TABLE endpoint ADD CONSTRAINT endpoint_events_check
         CHECK (events <@ ARRAY['lead.created', 'lead.updated'])`,
    );
  }
}
