import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  buildLeadDeletedEvent,
  DeliveryHeaders,
  LEAD_DELETED_TOPIC,
  LEAD_DELETED_TYPE,
  type LeadDeletedEvent,
  type LeadDeletedReason,
} from '@leadhooks/contracts';
import { notifyOutboxRelays } from './outbox.repository.js';

/** Who asked for an erasure (kept in the audit: ids and kinds only, never personal data). */
export interface ErasureActor {
  /** `admin-key:<id>`, `site-key:<id>`, `retention`, `site-deletion:<site id>`. */
  by: string;
  /** Also the reason its lead.deleted event carries. */
  reason: LeadDeletedReason;
}

/** What an erasure removed, counted per store (the DELETE's answer and the audit row). */
export interface ErasedCounts {
  /** The lead's personal fields (name, email, phone, message, page URL, extra, client IP, user agent). */
  lead_fields: boolean;
  /** Its data key: every sealed copy of its events (outbox, Kafka main, retry and DLT topics) is unreadable. */
  data_key: boolean;
  outbox_rows: number;
  lead_updates: number;
  delivery_attempts_scrubbed: number;
  deliveries_skipped: number;
  delivery_errors_scrubbed: number;
  inbound_requests: number;
  /** Deliveries that were in flight when the erasure began: waited for before answering. */
  in_flight_waited: number;
}

export interface ErasureRecord {
  id: string;
  leadId: string;
  siteId: string;
  erasedAt: Date;
  erasedBy: string;
  reason: string;
  /** The lead.deleted event this erasure emitted (null: an erasure from before lead.deleted existed). */
  eventId: string | null;
  erased: ErasedCounts;
}

export type EraseResult =
  | { kind: 'missing' }
  | { kind: 'already-erased'; record: ErasureRecord | null }
  | { kind: 'erased'; record: ErasureRecord };

/** How long an erasure waits at most for deliveries in flight (their lease ends by then anyway). */
export interface ErasureWait {
  pollMs: number;
  maxMs: number;
}

const PERSONAL_FIELDS_CLEARED = `name = NULL, email = NULL, phone = NULL, message = NULL, page_url = NULL,
  extra = '{}'::jsonb, client_ip = NULL, user_agent = NULL, idempotency_key = NULL, zapier_last_error = NULL,
  zapier_status = CASE WHEN zapier_status = 'PENDING' THEN 'NOT_CONFIGURED' ELSE zapier_status END`;

/**
 * Erasure of a lead's personal data from every store the system keeps (docs/privacy.md). The lead row stays as a
 * tombstone (ids, times, delivery state); its data key is destroyed, so every sealed copy of its events, in the
 * outbox and in every Kafka topic, cannot be read again; the outbox rows, lead.updated payloads and inbound requests
 * holding it are deleted; attempts and delivery errors lose their texts (a receiver may have echoed the lead).
 *
 * The same transaction writes the lead's `lead.deleted` event (ids only, never sealed) to the outbox, so endpoints
 * subscribed to it (Zapier's "Deleted Lead", a CRM) can delete their copies; every caller of this one erasure
 * (DELETE, the retention sweep, site deletion) emits it. Its deliveries are the only ones an erased lead still gets.
 *
 * Nothing of the lead's data is sent after `erase` returns: deliveries not in flight end SKIPPED (`erased`) in the first
 * transaction, and a delivery's claim checks the key's erasure mark in the same statement, so none can be claimed
 * after it commits. A delivery claimed before (its request may be on the wire) is waited for: the lease holder
 * sends only while its lease covers the whole request, so once the lease has ended (outcome recorded, or expired)
 * nothing more can leave for it. Then a second pass scrubs what that attempt recorded.
 */
export class LeadErasureRepository {
  constructor(private readonly dataSource: DataSource) {}

  async erase(
    leadId: string,
    actor: ErasureActor,
    options: {
      siteId?: string;
      wait: ErasureWait;
    },
  ): Promise<EraseResult> {
    const first = await this.dataSource.transaction(async (manager) => {
      // Deliveries first, in id order, then the lead: the order claims and outcomes lock them in (no deadlock).
      await manager.query(`SELECT id FROM delivery WHERE lead_id = $1 ORDER BY id FOR UPDATE`, [leadId]);
      const leads: ErasedLead[] = await manager.query(
        `SELECT id, site_id, event_id, erased_at, email, phone FROM lead
          WHERE id = $1 AND ($2::uuid IS NULL OR site_id = $2) FOR UPDATE`,
        [leadId, options.siteId ?? null],
      );
      const lead = leads[0];
      if (!lead) return { kind: 'missing' as const };
      if (lead.erased_at) return { kind: 'already-erased' as const };
      await manager.query(
        `INSERT INTO lead_key (lead_id, sealed_key, erased_at) VALUES ($1, NULL, now())
           ON CONFLICT (lead_id) DO UPDATE SET sealed_key = NULL, erased_at = now()`,
        [leadId],
      );
      const inbound = await this.deleteInboundRequests(manager, lead);
      await manager.query(
        `UPDATE lead SET ${PERSONAL_FIELDS_CLEARED}, erased_at = now(), updated_at = now() WHERE id = $1`,
        [leadId],
      );
      const scrubbed = await this.scrub(manager, [leadId]);
      const [inFlight]: [Array<{ count: number }>] = [
        await manager.query(
          `SELECT count(*)::int AS count FROM delivery WHERE lead_id = $1 AND status = 'PENDING' AND locked_until > now()`,
          [leadId],
        ),
      ];
      const erased: ErasedCounts = {
        lead_fields: true,
        data_key: true,
        ...scrubbed,
        inbound_requests: inbound,
        in_flight_waited: inFlight[0].count,
      };
      const eventId = uuidv7();
      const [record]: Array<{ id: string; erased_at: Date }> = await manager.query(
        `INSERT INTO lead_erasure (lead_id, site_id, erased_by, reason, erased, event_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, erased_at`,
        [leadId, lead.site_id, actor.by, actor.reason, JSON.stringify(erased), eventId],
      );
      await this.emitLeadDeleted(
        manager,
        buildLeadDeletedEvent(eventId, record.erased_at, {
          leadId,
          siteId: lead.site_id,
          reason: actor.reason,
        }),
      );
      return {
        kind: 'erased' as const,
        record: {
          id: record.id,
          leadId,
          siteId: lead.site_id,
          erasedAt: record.erased_at,
          erasedBy: actor.by,
          reason: actor.reason,
          eventId,
          erased,
        },
      };
    });
    if (first.kind === 'missing') return first;
    if (first.kind === 'already-erased')
      return { kind: 'already-erased', record: await this.lastRecord(leadId) };
    if (first.record.erased.in_flight_waited > 0) {
      await this.waitForLeases([leadId], options.wait);
      const again = await this.dataSource.transaction((manager) => this.scrub(manager, [leadId]));
      const erased = addCounts(first.record.erased, again);
      await this.dataSource.query(`UPDATE lead_erasure SET erased = $2 WHERE id = $1`, [
        first.record.id,
        JSON.stringify(erased),
      ]);
      return { kind: 'erased', record: { ...first.record, erased } };
    }
    return first;
  }

  /**
   * The lead.deleted into the outbox (the relay publishes it after the commit, keyed by the lead like its other
   * events). Plain: it holds ids only, and the key that sealed the lead's events is gone.
   */
  private async emitLeadDeleted(manager: EntityManager, event: LeadDeletedEvent): Promise<void> {
    await manager.query(
      `INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
      [
        event.data.lead_id,
        LEAD_DELETED_TOPIC,
        event.type,
        JSON.stringify(event),
        JSON.stringify(DeliveryHeaders.firstAttempt()),
      ],
    );
    await notifyOutboxRelays(manager);
  }

  /** A lead.deleted event as its erasure emitted it (rebuilt from the audit row), or null. */
  async deletedEvent(eventId: string): Promise<LeadDeletedEvent | null> {
    const rows: ErasureRow[] = await this.dataSource.query(`SELECT * FROM lead_erasure WHERE event_id = $1`, [
      eventId,
    ]);
    return rows[0] ? deletedEventOf(rows[0]) : null;
  }

  /** A site's newest lead.deleted events, newest first (Zapier's sample list for the "Deleted Lead" trigger). */
  async newestDeletedEvents(siteId: string, limit: number): Promise<LeadDeletedEvent[]> {
    const rows: ErasureRow[] = await this.dataSource.query(
      `SELECT * FROM lead_erasure WHERE site_id = $1 AND event_id IS NOT NULL
        ORDER BY erased_at DESC, id DESC LIMIT $2`,
      [siteId, limit],
    );
    return rows.flatMap((row) => deletedEventOf(row) ?? []);
  }

  /** The newest audit row of a lead's erasure, or null. */
  async lastRecord(leadId: string): Promise<ErasureRecord | null> {
    const rows: ErasureRow[] = await this.dataSource.query(
      `SELECT * FROM lead_erasure WHERE lead_id = $1 ORDER BY erased_at DESC LIMIT 1`,
      [leadId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Erasures, newest first (the audit: who and when; no personal data). */
  async list(filter: { siteId?: string; limit: number }): Promise<ErasureRecord[]> {
    const rows: ErasureRow[] = await this.dataSource.query(
      `SELECT * FROM lead_erasure WHERE ($1::uuid IS NULL OR site_id = $1) ORDER BY erased_at DESC, id LIMIT $2`,
      [filter.siteId ?? null, filter.limit],
    );
    return rows.map(toRecord);
  }

  /**
   * Delivery state that may hold what the receiver answered (texts, snippets), outbox rows and lead.updated
   * payloads; PENDING deliveries not in flight end SKIPPED (`erased`). The lead's lead.deleted (its outbox row and
   * deliveries, which a second pass may find) is left to go out: it holds no personal data.
   */
  private async scrub(
    manager: EntityManager,
    leadIds: string[],
  ): Promise<Omit<ErasedCounts, 'lead_fields' | 'data_key' | 'inbound_requests' | 'in_flight_waited'>> {
    const [, skipped]: [unknown, number] = await manager.query(
      `UPDATE delivery SET status = 'SKIPPED', last_error = 'erased', next_attempt_at = NULL, updated_at = now()
        WHERE lead_id = ANY($1::uuid[]) AND status = 'PENDING' AND (locked_until IS NULL OR locked_until <= now())
          AND event_type <> '${LEAD_DELETED_TYPE}'`,
      [leadIds],
    );
    const [, errors]: [unknown, number] = await manager.query(
      `UPDATE delivery SET last_error = NULL
        WHERE lead_id = ANY($1::uuid[]) AND last_error IS NOT NULL AND last_error <> 'erased'`,
      [leadIds],
    );
    const [, attempts]: [unknown, number] = await manager.query(
      `UPDATE delivery_attempt SET error = NULL, response_snippet = NULL
        WHERE lead_id = ANY($1::uuid[]) AND (error IS NOT NULL OR response_snippet IS NOT NULL)`,
      [leadIds],
    );
    const [, outbox]: [unknown, number] = await manager.query(
      `DELETE FROM outbox WHERE aggregate_id = ANY($1::uuid[]) AND event_type <> '${LEAD_DELETED_TYPE}'`,
      [leadIds],
    );
    const [, updates]: [unknown, number] = await manager.query(
      `DELETE FROM lead_update WHERE lead_id = ANY($1::uuid[])`,
      [leadIds],
    );
    return {
      outbox_rows: outbox,
      lead_updates: updates,
      delivery_attempts_scrubbed: attempts,
      deliveries_skipped: skipped,
      delivery_errors_scrubbed: errors,
    };
  }

  /**
   * Inbound requests (SPEC §14) that made the lead, and the site's unlinked ones (refused, e.g. 422) whose body
   * holds its email or phone: the same person's data, sent before the request that worked.
   */
  private async deleteInboundRequests(manager: EntityManager, lead: ErasedLead): Promise<number> {
    const [, linked]: [unknown, number] = await manager.query(
      `DELETE FROM inbound_request WHERE lead_id = $1`,
      [lead.id],
    );
    const needles = [lead.email, lead.phone].filter((value): value is string =>
      Boolean(value && value.length >= 5),
    );
    if (!needles.length) return linked;
    const [, unlinked]: [unknown, number] = await manager.query(
      `DELETE FROM inbound_request r USING inbound_source s
        WHERE r.source_id = s.id AND s.site_id = $1 AND r.lead_id IS NULL
          AND EXISTS (SELECT 1 FROM unnest($2::text[]) AS needle WHERE strpos(r.body, needle) > 0)`,
      [lead.site_id, needles],
    );
    return linked + unlinked;
  }

  /** Until no delivery of these leads holds a live lease (its holder recorded or gave up), or `maxMs`. */
  private async waitForLeases(leadIds: string[], wait: ErasureWait): Promise<void> {
    const deadline = Date.now() + wait.maxMs;
    for (;;) {
      const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
        `SELECT count(*)::int AS count FROM delivery
          WHERE lead_id = ANY($1::uuid[]) AND lock_token IS NOT NULL AND locked_until > now()`,
        [leadIds],
      );
      if (count === 0 || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
    }
  }
}

/** The lead as the erasure saw it before clearing it (its email and phone find unlinked inbound requests). */
export interface ErasedLead {
  id: string;
  site_id: string;
  event_id: string;
  erased_at: Date | null;
  email: string | null;
  phone: string | null;
}

interface ErasureRow {
  id: string;
  lead_id: string;
  site_id: string;
  erased_at: Date;
  erased_by: string;
  reason: string;
  event_id: string | null;
  erased: ErasedCounts;
}

function deletedEventOf(row: ErasureRow): LeadDeletedEvent | null {
  if (!row.event_id) return null;
  return buildLeadDeletedEvent(row.event_id, new Date(row.erased_at), {
    leadId: row.lead_id,
    siteId: row.site_id,
    reason: row.reason as LeadDeletedReason,
  });
}

function toRecord(row: ErasureRow): ErasureRecord {
  return {
    id: row.id,
    leadId: row.lead_id,
    siteId: row.site_id,
    erasedAt: row.erased_at,
    erasedBy: row.erased_by,
    reason: row.reason,
    eventId: row.event_id,
    erased: row.erased,
  };
}

function addCounts(
  first: ErasedCounts,
  again: Omit<ErasedCounts, 'lead_fields' | 'data_key' | 'inbound_requests' | 'in_flight_waited'>,
): ErasedCounts {
  return {
    ...first,
    outbox_rows: first.outbox_rows + again.outbox_rows,
    lead_updates: first.lead_updates + again.lead_updates,
    delivery_attempts_scrubbed: first.delivery_attempts_scrubbed + again.delivery_attempts_scrubbed,
    deliveries_skipped: first.deliveries_skipped + again.deliveries_skipped,
    delivery_errors_scrubbed: first.delivery_errors_scrubbed + again.delivery_errors_scrubbed,
  };
}
