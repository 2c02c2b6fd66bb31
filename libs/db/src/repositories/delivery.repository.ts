import type { DataSource, EntityManager } from 'typeorm';
import {
  buildLeadDeletedEvent,
  type EventType,
  LEAD_CREATED_TYPE,
  LEAD_DELETED_TYPE,
  type LeadDeletedEvent,
  type LeadDeletedReason,
  type LeadEvent,
} from '@leadhooks/contracts';
import { DeliveryAttemptEntity, type DeliveryStatus } from '../entities/index.js';
import { leadCreatedEventOf, type StoredLeadRow } from '../leads/lead-snapshot.js';
import type { LeadKeyRepository } from './lead-key.repository.js';
import { notifyOutboxRelays } from './outbox.repository.js';

/** A delivery as the admin API and the delivery log show it. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: EventType;
  leadId: string;
  siteId: string;
  endpointId: string;
  endpointName: string;
  endpointDeleted: boolean;
  status: DeliveryStatus;
  attemptCount: number;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  /** created_at to the microsecond (ISO, UTC): the delivery log's keyset cursor. */
  cursorAt: string;
  updatedAt: Date;
}

export interface DeliveryFilter {
  siteId?: string;
  endpointId?: string;
  leadId?: string;
  event?: EventType;
  status?: DeliveryStatus;
  since?: Date;
  until?: Date;
  /** Keyset position: created_at as an ISO timestamp to the microsecond, and id. */
  after?: { createdAt: string; id: string };
  limit: number;
}

/** Where a requeued delivery's next message goes and with which headers (the caller knows the Kafka protocol). */
export type RequeueMessage = (target: {
  event: EventType;
  /** null: a fresh event to fan out (no delivery named). */
  delivery: { deliveryId: string; endpointId: string } | null;
  attemptCount: number;
  cycleStep: number;
}) => { topic: string; headers: Record<string, string> };

export type RequeueResult = 'requeued' | 'missing' | 'already-sent' | 'in-flight';

/** What a lead's redelivery did (admin `redeliver`). */
export type LeadRedelivery =
  | { kind: 'missing' }
  | {
      kind: 'done';
      requeued: Array<{ deliveryId: string; endpointId: string }>;
      /** The event was published again to fan out to subscribed endpoints that have no delivery of it yet. */
      fannedOut: boolean;
      alreadySent: number;
      inFlight: number;
      zapierStatus: string | null;
    };

/** What the sweep put back. */
export interface StrandedWork {
  deliveries: Array<{ id: string; leadId: string; endpointId: string; event: EventType; attempt: number }>;
  /** Events never fanned out (their message was lost before the dispatcher handled it), published again. */
  events: Array<{ eventId: string; leadId: string; event: EventType }>;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: EventType;
  lead_id: string;
  site_id: string;
  endpoint_id: string;
  endpoint_name: string;
  endpoint_deleted: boolean;
  mirrors_lead: boolean;
  status: DeliveryStatus;
  attempt_count: number;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  sent_at: Date | null;
  next_attempt_at: Date | null;
  locked_until: Date | null;
  cycle_step: number;
  created_at: Date;
  cursor_at: string;
  updated_at: Date;
  in_flight?: boolean;
}

const VIEW_SELECT = `
  SELECT d.*, e.name AS endpoint_name, e.deleted_at IS NOT NULL AS endpoint_deleted,
         to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
         (d.locked_until IS NOT NULL AND d.locked_until > now()) AS in_flight
    FROM delivery d JOIN endpoint e ON e.id = d.endpoint_id`;

function toView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    leadId: row.lead_id,
    siteId: row.site_id,
    endpointId: row.endpoint_id,
    endpointName: row.endpoint_name,
    endpointDeleted: row.endpoint_deleted,
    status: row.status,
    attemptCount: row.attempt_count,
    lastAttemptAt: row.last_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    sentAt: row.sent_at,
    nextAttemptAt: row.status === 'PENDING' ? row.next_attempt_at : null,
    createdAt: row.created_at,
    cursorAt: row.cursor_at,
    updatedAt: row.updated_at,
  };
}

/** Deliveries (one event to one endpoint): the log, a lead's deliveries, and putting them back on their path. */
export class DeliveryRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leadKeys: LeadKeyRepository,
  ) {}

  async findById(id: string): Promise<DeliveryView | null> {
    const rows: DeliveryRow[] = await this.dataSource.query(`${VIEW_SELECT} WHERE d.id = $1`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  /** The delivery log: newest first, keyset-paginated on (created_at, id). */
  async list(filter: DeliveryFilter): Promise<DeliveryView[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.siteId) add('d.site_id = ?', filter.siteId);
    if (filter.endpointId) add('d.endpoint_id = ?', filter.endpointId);
    if (filter.leadId) add('d.lead_id = ?', filter.leadId);
    if (filter.event) add('d.event_type = ?', filter.event);
    if (filter.status) add('d.status = ?', filter.status);
    if (filter.since) add('d.created_at >= ?', filter.since);
    if (filter.until) add('d.created_at < ?', filter.until);
    if (filter.after) {
      values.push(filter.after.createdAt, filter.after.id);
      where.push(`(d.created_at, d.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    }
    values.push(filter.limit);
    const rows: DeliveryRow[] = await this.dataSource.query(
      `${VIEW_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY d.created_at DESC, d.id DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(toView);
  }

  /** A lead's deliveries (oldest first) with each one's attempts. */
  async listByLead(leadId: string): Promise<Array<DeliveryView & { attempts: DeliveryAttemptEntity[] }>> {
    const [rows, attempts] = await Promise.all([
      this.dataSource.query<DeliveryRow[]>(
        `${VIEW_SELECT} WHERE d.lead_id = $1 ORDER BY d.created_at, d.id`,
        [leadId],
      ),
      this.dataSource
        .getRepository(DeliveryAttemptEntity)
        .find({ where: { leadId }, order: { attempt: 'ASC', id: 'ASC' } }),
    ]);
    return rows.map((row) => ({
      ...toView(row),
      attempts: attempts.filter((attempt) => attempt.deliveryId === row.id),
    }));
  }

  /** Attempts of the lead's `zapier` lead.created delivery (the §10 `attempts` of a lead). */
  listZapierAttempts(leadId: string): Promise<DeliveryAttemptEntity[]> {
    return this.dataSource
      .getRepository(DeliveryAttemptEntity)
      .createQueryBuilder('a')
      .innerJoin('delivery', 'd', 'd.id = a.delivery_id AND d.mirrors_lead')
      .where('a.lead_id = :leadId', { leadId })
      .orderBy('a.attempt', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .getMany();
  }

  /** Current status of each delivery asked for (ops tools: which dead letters are still FAILED). */
  async statuses(ids: string[]): Promise<Map<string, DeliveryStatus>> {
    if (!ids.length) return new Map();
    const rows: Array<{ id: string; status: DeliveryStatus }> = await this.dataSource.query(
      `SELECT id, status FROM delivery WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  /** The `zapier` lead.created delivery of each lead asked for (dead letters from before endpoints existed). */
  async zapierDeliveries(leadIds: string[]): Promise<Map<string, { id: string; status: DeliveryStatus }>> {
    if (!leadIds.length) return new Map();
    const rows: Array<{ id: string; lead_id: string; status: DeliveryStatus }> = await this.dataSource.query(
      `SELECT id, lead_id, status FROM delivery WHERE lead_id = ANY($1::uuid[]) AND mirrors_lead`,
      [leadIds],
    );
    return new Map(rows.map((row) => [row.lead_id, { id: row.id, status: row.status }]));
  }

  /**
   * Sends one delivery through again (DLT replay, admin redelivery), in one transaction: back to PENDING (history
   * kept) and its event, as it was emitted, in the outbox for its next attempt, starting a fresh retry cycle. A SENT
   * delivery is never requeued, nor one in flight; the delivery lock still guards the attempt itself.
   */
  async requeue(deliveryId: string, next: RequeueMessage): Promise<RequeueResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: DeliveryRow[] = await manager.query(
        `SELECT d.*, (d.locked_until IS NOT NULL AND d.locked_until > now()) AS in_flight
           FROM delivery d WHERE d.id = $1 FOR UPDATE`,
        [deliveryId],
      );
      const row = rows[0];
      if (!row) return 'missing';
      if (row.status === 'SENT') return 'already-sent';
      if (row.in_flight) return 'in-flight';
      const event = await this.eventOf(manager, row.event_type, row.event_id, row.lead_id);
      if (!event) return 'missing';
      await this.enqueue(manager, row, event, next, 0);
      await notifyOutboxRelays(manager);
      return 'requeued';
    });
  }

  /**
   * A lead's lead.created deliveries sent through again (admin redeliver), optionally to one endpoint only: every
   * delivery not SENT and not in flight is requeued; without an endpoint, the event is also published again to fan
   * out to subscribed endpoints that never had a delivery of it (e.g. the hook was enabled after the lead came in).
   */
  async redeliverLead(
    leadId: string,
    options: { endpointId?: string },
    next: RequeueMessage,
  ): Promise<LeadRedelivery> {
    return this.dataSource.transaction(async (manager) => {
      // One lock order everywhere: delivery rows (in id order), then their lead, as the claim and outcome
      // statements take them; the other order could deadlock with an outcome being recorded.
      const rows: DeliveryRow[] = await manager.query(
        `SELECT d.*, (d.locked_until IS NOT NULL AND d.locked_until > now()) AS in_flight
           FROM delivery d
          WHERE d.lead_id = $1 AND d.event_type = $2 AND ($3::uuid IS NULL OR d.endpoint_id = $3)
          ORDER BY d.id FOR UPDATE`,
        [leadId, LEAD_CREATED_TYPE, options.endpointId ?? null],
      );
      const leads: Array<StoredLeadRow & { zapier_status: string | null }> = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname FROM lead l JOIN site s ON s.id = l.site_id
          WHERE l.id = $1 AND l.erased_at IS NULL FOR UPDATE OF l`,
        [leadId],
      );
      const lead = leads[0];
      if (!lead) return { kind: 'missing' };
      const event = leadCreatedEventOf(lead);
      const requeued: Array<{ deliveryId: string; endpointId: string }> = [];
      let alreadySent = 0;
      let inFlight = 0;
      for (const row of rows) {
        if (row.status === 'SENT') alreadySent++;
        else if (row.in_flight) inFlight++;
        else {
          await this.enqueue(manager, row, event, next, 0);
          requeued.push({ deliveryId: row.id, endpointId: row.endpoint_id });
        }
      }
      let fannedOut = false;
      if (!options.endpointId) {
        const [{ missing }]: Array<{ missing: boolean }> = await manager.query(
          `SELECT EXISTS (
             SELECT 1 FROM endpoint e
              WHERE e.site_id = $1 AND e.deleted_at IS NULL AND e.enabled AND e.url IS NOT NULL AND $2 = ANY (e.events)
                AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = $3 AND d.endpoint_id = e.id)) AS missing`,
          [lead.site_id, LEAD_CREATED_TYPE, lead.event_id],
        );
        if (missing) {
          await this.publish(
            manager,
            leadId,
            event,
            next({ event: LEAD_CREATED_TYPE, delivery: null, attemptCount: 0, cycleStep: 0 }),
          );
          // The fan-out decides again whether the `zapier` endpoint takes it (PENDING) or not (NOT_CONFIGURED).
          await manager.query(
            `UPDATE lead SET zapier_status = 'PENDING' WHERE id = $1 AND zapier_status IS DISTINCT FROM 'SENT'
                AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.lead_id = $1 AND d.mirrors_lead)`,
            [leadId],
          );
          fannedOut = true;
        }
      }
      if (requeued.length || fannedOut) await notifyOutboxRelays(manager);
      const [{ zapier_status }]: Array<{ zapier_status: string | null }> = await manager.query(
        `SELECT zapier_status FROM lead WHERE id = $1`,
        [leadId],
      );
      return { kind: 'done', requeued, fannedOut, alreadySent, inFlight, zapierStatus: zapier_status };
    });
  }

  /**
   * A lead.updated event published again to fan out (a dead letter of it named no delivery: it could not be fanned
   * out). Its deliveries that exist stay as they are (the fan-out finds them: SENT ones are never sent again).
   */
  async republishUpdate(eventId: string, next: RequeueMessage): Promise<RequeueResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ lead_id: string; payload: LeadEvent }> = await manager.query(
        `SELECT lead_id, payload FROM lead_update WHERE event_id = $1 FOR UPDATE`,
        [eventId],
      );
      const row = rows[0];
      if (!row) return 'missing';
      await this.publish(
        manager,
        row.lead_id,
        row.payload,
        next({ event: row.payload.type, delivery: null, attemptCount: 0, cycleStep: 0 }),
      );
      await notifyOutboxRelays(manager);
      return 'requeued';
    });
  }

  /**
   * A lead.deleted event published again to fan out (a dead letter of it named no delivery), rebuilt from its
   * erasure's audit row. Its deliveries that exist stay as they are.
   */
  async republishDeleted(eventId: string, next: RequeueMessage): Promise<RequeueResult> {
    return this.dataSource.transaction(async (manager) => {
      const event = await this.deletedEventOf(manager, eventId);
      if (!event) return 'missing';
      await this.publish(
        manager,
        event.data.lead_id,
        event,
        next({ event: event.type, delivery: null, attemptCount: 0, cycleStep: 0 }),
      );
      await notifyOutboxRelays(manager);
      return 'requeued';
    });
  }

  /**
   * What nothing will attempt again, put back on its path: PENDING deliveries not leased whose next attempt is
   * overdue (past `olderThan`), and events never fanned out (lead.created, lead.updated, and lead.deleted rebuilt
   * from its erasure's audit row), created before `olderThan` — in both cases with no
   * unpublished outbox row of their lead waiting. A delivery goes back at the retry step it was at with the same
   * attempt number (so any late copy of its lost message stays a no-op); an event is published again to fan out
   * (idempotent). This should never find anything; when it does, a message was lost and this is what saves it.
   */
  async requeueStranded(olderThan: Date, limit: number, next: RequeueMessage): Promise<StrandedWork> {
    return this.dataSource.transaction(async (manager) => {
      const rows: DeliveryRow[] = await manager.query(
        `SELECT d.* FROM delivery d
          WHERE d.status = 'PENDING' AND d.next_attempt_at < $1
            AND (d.locked_until IS NULL OR d.locked_until < now())
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = d.lead_id AND o.published_at IS NULL)
          ORDER BY d.next_attempt_at
          LIMIT $2
            FOR UPDATE OF d SKIP LOCKED`,
        [olderThan, limit],
      );
      const work: StrandedWork = { deliveries: [], events: [] };
      for (const row of rows) {
        const event = await this.eventOf(manager, row.event_type, row.event_id, row.lead_id);
        if (!event) continue;
        await this.enqueue(manager, row, event, next, row.cycle_step);
        work.deliveries.push({
          id: row.id,
          leadId: row.lead_id,
          endpointId: row.endpoint_id,
          event: row.event_type,
          attempt: row.attempt_count + 1,
        });
      }
      const unfanned: Array<StoredLeadRow> = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname FROM lead l JOIN site s ON s.id = l.site_id
          WHERE l.fanned_out_at IS NULL AND l.created_at < $1 AND l.erased_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = l.event_id)
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = l.id AND o.published_at IS NULL)
          ORDER BY l.created_at LIMIT $2 FOR UPDATE OF l SKIP LOCKED`,
        [olderThan, limit],
      );
      for (const lead of unfanned) {
        const event = leadCreatedEventOf(lead);
        await this.publish(
          manager,
          lead.id,
          event,
          next({ event: event.type, delivery: null, attemptCount: 0, cycleStep: 0 }),
        );
        work.events.push({ eventId: event.id, leadId: lead.id, event: event.type });
      }
      const updates: Array<{ lead_id: string; payload: LeadEvent }> = await manager.query(
        `SELECT u.lead_id, u.payload FROM lead_update u
          WHERE u.fanned_out_at IS NULL AND u.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = u.lead_id AND o.published_at IS NULL)
          ORDER BY u.created_at LIMIT $2 FOR UPDATE OF u SKIP LOCKED`,
        [olderThan, limit],
      );
      for (const update of updates) {
        const event = update.payload;
        await this.publish(
          manager,
          update.lead_id,
          event,
          next({ event: event.type, delivery: null, attemptCount: 0, cycleStep: 0 }),
        );
        work.events.push({ eventId: event.id, leadId: update.lead_id, event: event.type });
      }
      const erasures: Array<{
        lead_id: string;
        site_id: string;
        erased_at: Date;
        reason: string;
        event_id: string;
      }> = await manager.query(
        `SELECT e.lead_id, e.site_id, e.erased_at, e.reason, e.event_id FROM lead_erasure e
            WHERE e.fanned_out_at IS NULL AND e.erased_at < $1 AND e.event_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = e.lead_id AND o.published_at IS NULL)
            ORDER BY e.erased_at LIMIT $2 FOR UPDATE OF e SKIP LOCKED`,
        [olderThan, limit],
      );
      for (const erasure of erasures) {
        const event = buildLeadDeletedEvent(erasure.event_id, new Date(erasure.erased_at), {
          leadId: erasure.lead_id,
          siteId: erasure.site_id,
          reason: erasure.reason as LeadDeletedReason,
        });
        await this.publish(
          manager,
          erasure.lead_id,
          event,
          next({ event: event.type, delivery: null, attemptCount: 0, cycleStep: 0 }),
        );
        work.events.push({ eventId: event.id, leadId: erasure.lead_id, event: event.type });
      }
      if (work.deliveries.length || work.events.length) await notifyOutboxRelays(manager);
      return work;
    });
  }

  /**
   * The event a delivery carries, as it was emitted: lead.created rebuilt from the lead, lead.updated as stored,
   * lead.deleted rebuilt from its erasure's audit row. Null for an erased lead's lead.created and lead.updated.
   */
  private async eventOf(
    manager: EntityManager,
    type: EventType,
    eventId: string,
    leadId: string,
  ): Promise<LeadEvent | null> {
    if (type === LEAD_CREATED_TYPE) {
      const leads: StoredLeadRow[] = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname FROM lead l JOIN site s ON s.id = l.site_id
          WHERE l.id = $1 AND l.erased_at IS NULL`,
        [leadId],
      );
      return leads[0] ? leadCreatedEventOf(leads[0]) : null;
    }
    if (type === LEAD_DELETED_TYPE) return this.deletedEventOf(manager, eventId);
    const updates: Array<{ payload: LeadEvent }> = await manager.query(
      `SELECT payload FROM lead_update WHERE event_id = $1`,
      [eventId],
    );
    return updates[0]?.payload ?? null;
  }

  private async enqueue(
    manager: EntityManager,
    row: DeliveryRow,
    event: LeadEvent,
    next: RequeueMessage,
    cycleStep: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE delivery SET status = 'PENDING', next_attempt_at = now(), cycle_step = $2, updated_at = now() WHERE id = $1`,
      [row.id, cycleStep],
    );
    if (row.mirrors_lead)
      await manager.query(`UPDATE lead SET zapier_status = 'PENDING' WHERE id = $1`, [row.lead_id]);
    await this.publish(
      manager,
      row.lead_id,
      event,
      next({
        event: row.event_type,
        delivery: { deliveryId: row.id, endpointId: row.endpoint_id },
        attemptCount: row.attempt_count,
        cycleStep,
      }),
    );
  }

  /** A lead.deleted event as its erasure emitted it (`lead_erasure.event_id`), or null. */
  private async deletedEventOf(manager: EntityManager, eventId: string): Promise<LeadDeletedEvent | null> {
    const rows: Array<{ lead_id: string; site_id: string; erased_at: Date; reason: string }> =
      await manager.query(
        `SELECT lead_id, site_id, erased_at, reason FROM lead_erasure WHERE event_id = $1`,
        [eventId],
      );
    const row = rows[0];
    return row
      ? buildLeadDeletedEvent(eventId, new Date(row.erased_at), {
          leadId: row.lead_id,
          siteId: row.site_id,
          reason: row.reason as LeadDeletedReason,
        })
      : null;
  }

  /**
   * Into the outbox, sealed under the lead's data key (docs/privacy.md); nothing for an erased lead, except its
   * lead.deleted, which holds ids only and goes plain.
   */
  private async publish(
    manager: EntityManager,
    leadId: string,
    event: LeadEvent,
    message: { topic: string; headers: Record<string, string> },
  ): Promise<void> {
    const sealed = event.type === LEAD_DELETED_TYPE ? event : await this.leadKeys.seal(manager, event);
    if (!sealed) return;
    await manager.query(
      `INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
      [leadId, message.topic, event.type, JSON.stringify(sealed), JSON.stringify(message.headers)],
    );
  }
}
