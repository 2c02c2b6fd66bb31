import type { EntityManager } from 'typeorm';
import { type LeadDataEvent, type SealedLeadEvent, sealLeadEvent } from '@leadhooks/contracts';
import type { LeadDataKeys, NewDataKey } from '../crypto/lead-data-keys.js';

/**
 * Each lead's data key (`lead_key`, docs/privacy.md). Intake creates it with the lead (LeadRepository); every
 * other writer of an event into the outbox (PATCH, redelivery, replay, the stranded sweep) seals with it here.
 */
export class LeadKeyRepository {
  constructor(private readonly keys: LeadDataKeys) {}

  create(): NewDataKey {
    return this.keys.create();
  }

  /** Opens a `lead_key.sealed_key` (null: destroyed by an erasure). */
  open(sealed: string | null): Buffer | null {
    return this.keys.open(sealed);
  }

  /**
   * The lead's key inside the caller's transaction, or null when the lead was erased. A lead stored before data keys
   * existed gets one now, so every event written from here on is sealed.
   */
  async keyFor(manager: EntityManager, leadId: string): Promise<Buffer | null> {
    const rows: Array<{ sealed_key: string | null; erased_at: Date | null }> = await manager.query(
      `SELECT sealed_key, erased_at FROM lead_key WHERE lead_id = $1`,
      [leadId],
    );
    if (rows[0]) return rows[0].erased_at ? null : this.keys.open(rows[0].sealed_key);
    const fresh = this.keys.create();
    const inserted: Array<{ lead_id: string }> = await manager.query(
      `INSERT INTO lead_key (lead_id, sealed_key) VALUES ($1, $2) ON CONFLICT (lead_id) DO NOTHING RETURNING lead_id`,
      [leadId, fresh.sealed],
    );
    // A concurrent writer created it first: use theirs.
    return inserted.length ? fresh.key : this.keyFor(manager, leadId);
  }

  /** The event sealed under its lead's key, ready for the outbox; null when the lead was erased (write nothing). */
  async seal(
    manager: EntityManager,
    event: LeadDataEvent | SealedLeadEvent,
  ): Promise<SealedLeadEvent | null> {
    const key = await this.keyFor(manager, event.data.lead_id);
    return key ? sealLeadEvent(event, key) : null;
  }
}
