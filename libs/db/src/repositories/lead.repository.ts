import type { DataSource, EntityManager } from 'typeorm';
import { type ExtraValue, LEAD_CREATED_TYPE, type LeadCreatedEvent } from '@leadhooks/contracts';
import { GroupCommit, type GroupCommitOptions } from '../batching/group-commit.js';
import { DeliveryAttemptEntity, LeadEntity, type ZapierStatus } from '../entities/index.js';
import { leadCreatedEventOf, type StoredLeadRow } from '../leads/lead-snapshot.js';
import { type NewOutboxMessage, notifyOutboxRelays } from './outbox.repository.js';

export interface NewLead {
  id: string;
  siteId: string;
  submittedAt: Date;
  pageUrl: string | null;
  leadSource: string | null;
  formType: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  message: string | null;
  extra: Record<string, ExtraValue>;
  clientIp: string | null;
  userAgent: string | null;
  idempotencyKey: string | null;
  eventId: string;
}

/** The lead row for a lead.created event, plus what only the request knows. */
export function newLeadFromEvent(
  event: LeadCreatedEvent,
  request: { clientIp: string | null; userAgent: string | null; idempotencyKey: string | null },
): NewLead {
  const lead = event.data;
  return {
    id: lead.lead_id,
    siteId: lead.site_id,
    submittedAt: new Date(lead.submitted_at),
    pageUrl: lead.page_url,
    leadSource: lead.lead_source,
    formType: lead.form_type,
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    message: lead.message,
    extra: lead.extra,
    eventId: event.id,
    ...request,
  };
}

export type RequeueResult = 'requeued' | 'missing' | 'already-sent' | 'in-flight';

/**
 * Where a requeued lead's next message goes and with which headers, given the attempts it has made and the
 * retry-cycle step to start from (the caller knows the Kafka protocol; this repository does not).
 */
export type RequeueMessage = (
  attemptCount: number,
  cycleStep: number,
) => { topic: string; headers: Record<string, string> };

const LEAD_COLUMNS = `id, site_id, submitted_at, page_url, lead_source, form_type, name, email, phone, message,
  extra, client_ip, user_agent, idempotency_key, event_id`;

function leadValues(lead: NewLead): unknown[] {
  return [
    lead.id,
    lead.siteId,
    lead.submittedAt,
    lead.pageUrl,
    lead.leadSource,
    lead.formType,
    lead.name,
    lead.email,
    lead.phone,
    lead.message,
    JSON.stringify(lead.extra),
    lead.clientIp,
    lead.userAgent,
    lead.idempotencyKey,
    lead.eventId,
  ];
}

/** A lead stored by intake, with the status the insert decided; `not-stored`: its idempotency key was taken first, or its site is gone. */
export type StoreResult = { kind: 'stored'; zapierStatus: ZapierStatus } | { kind: 'not-stored' };

type IntakeItem = { lead: NewLead; event: Omit<NewOutboxMessage, 'aggregateId'> };

/** Leads and their delivery history. */
export class LeadRepository {
  private readonly intake: GroupCommit<IntakeItem, StoreResult>;

  constructor(
    private readonly dataSource: DataSource,
    intakeBatching: GroupCommitOptions = { concurrency: 4, maxBatch: 100 },
  ) {
    this.intake = new GroupCommit(async (items) => {
      const stored = await this.insertBatchWithEvents(items);
      return items.map(({ lead }): StoreResult => {
        const zapierStatus = stored.get(lead.id);
        return zapierStatus ? { kind: 'stored', zapierStatus } : { kind: 'not-stored' };
      });
    }, intakeBatching);
  }

  /**
   * Stores a lead with its event (intake), group-committed: under load many leads share one statement and one
   * commit; each caller is answered after the commit that holds its lead.
   */
  store(lead: NewLead, event: Omit<NewOutboxMessage, 'aggregateId'>): Promise<StoreResult> {
    return this.intake.submit({ lead, event });
  }

  /** Inserts a lead alone (no event) with a given status, inside the caller's transaction (tools and tests). */
  async insert(manager: EntityManager, lead: NewLead, zapierStatus: ZapierStatus): Promise<void> {
    await manager.query(
      `INSERT INTO lead (${LEAD_COLUMNS}, zapier_status, zapier_next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, CASE WHEN $16 = 'PENDING' THEN now() END)`,
      [...leadValues(lead), zapierStatus],
    );
  }

  /**
   * The intake write for many leads at once (group commit): every lead and its outbox event in ONE statement,
   * so one round trip and one commit for the lot; all rows commit or none do. Each lead's `zapier_status` is
   * decided from the site row as this statement reads it, so a hook enabled or disabled through any instance
   * applies to every lead committed after it (no cached site decides delivery). A lead whose idempotency key is
   * already taken (stored before, or earlier in this batch), or whose site no longer exists, is not stored; the
   * returned map holds the stored leads' ids and statuses.
   */
  private async insertBatchWithEvents(items: IntakeItem[]): Promise<Map<string, ZapierStatus>> {
    const rows = items.map(({ lead, event }) => ({
      id: lead.id,
      site_id: lead.siteId,
      submitted_at: lead.submittedAt.toISOString(),
      page_url: lead.pageUrl,
      lead_source: lead.leadSource,
      form_type: lead.formType,
      name: lead.name,
      email: lead.email,
      phone: lead.phone,
      message: lead.message,
      extra: lead.extra,
      client_ip: lead.clientIp,
      user_agent: lead.userAgent,
      idempotency_key: lead.idempotencyKey,
      event_id: lead.eventId,
      topic: event.topic,
      event_type: event.eventType,
      payload: event.payload,
      headers: event.headers ?? {},
    }));
    const stored: Array<{ id: string; zapier_status: ZapierStatus }> = await this.dataSource.query(
      `WITH input AS (
         SELECT t.*, CASE WHEN s.zapier_enabled AND s.zapier_webhook_url IS NOT NULL THEN 'PENDING' ELSE 'NOT_CONFIGURED' END AS status
           FROM jsonb_to_recordset($1::jsonb) AS t(
                  id uuid, site_id uuid, submitted_at timestamptz, page_url text, lead_source text, form_type text, name text,
                  email text, phone text, message text, extra jsonb, client_ip text, user_agent text, idempotency_key text,
                  event_id uuid, topic text, event_type text, payload jsonb, headers jsonb)
           JOIN site s ON s.id = t.site_id
       ), stored AS (
         INSERT INTO lead (${LEAD_COLUMNS}, zapier_status, zapier_next_attempt_at)
         SELECT ${LEAD_COLUMNS}, status, CASE WHEN status = 'PENDING' THEN submitted_at END FROM input
         ON CONFLICT (site_id, idempotency_key) DO NOTHING
         RETURNING id, zapier_status
       ), events AS (
         INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers)
         SELECT input.id, input.topic, input.event_type, input.payload, input.headers FROM input JOIN stored USING (id)
       )
       SELECT id, zapier_status FROM stored`,
      [JSON.stringify(rows)],
    );
    return new Map(stored.map((row) => [row.id, row.zapier_status]));
  }

  findById(id: string): Promise<LeadEntity | null> {
    return this.dataSource.getRepository(LeadEntity).findOneBy({ id });
  }

  findByIdempotencyKey(siteId: string, idempotencyKey: string): Promise<LeadEntity | null> {
    return this.dataSource.getRepository(LeadEntity).findOneBy({ siteId, idempotencyKey });
  }

  /** Current delivery status of each lead asked for (ops tools: which dead letters are still FAILED). */
  async statuses(ids: string[]): Promise<Map<string, ZapierStatus | null>> {
    if (!ids.length) return new Map();
    const rows: Array<{ id: string; zapier_status: ZapierStatus | null }> = await this.dataSource.query(
      `SELECT id, zapier_status FROM lead WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.zapier_status]));
  }

  /** Newest first, keyset-paginated on (submitted_at, id). */
  async list(filter: {
    siteId?: string;
    status?: ZapierStatus;
    since?: Date;
    until?: Date;
    after?: { submittedAt: Date; id: string };
    limit: number;
  }): Promise<LeadEntity[]> {
    const query = this.dataSource.getRepository(LeadEntity).createQueryBuilder('lead');
    if (filter.siteId) query.andWhere('lead.siteId = :siteId', { siteId: filter.siteId });
    if (filter.status) query.andWhere('lead.zapierStatus = :status', { status: filter.status });
    if (filter.since) query.andWhere('lead.submittedAt >= :since', { since: filter.since });
    if (filter.until) query.andWhere('lead.submittedAt < :until', { until: filter.until });
    if (filter.after) {
      query.andWhere('(lead.submittedAt, lead.id) < (:afterAt, :afterId)', {
        afterAt: filter.after.submittedAt,
        afterId: filter.after.id,
      });
    }
    return query
      .orderBy('lead.submittedAt', 'DESC')
      .addOrderBy('lead.id', 'DESC')
      .limit(filter.limit)
      .getMany();
  }

  listAttempts(leadId: string): Promise<DeliveryAttemptEntity[]> {
    return this.dataSource
      .getRepository(DeliveryAttemptEntity)
      .find({ where: { leadId }, order: { attempt: 'ASC', id: 'ASC' } });
  }

  /**
   * Sends a lead through delivery again (admin redeliver, DLT replay), in one transaction: back to PENDING
   * (history kept) and its lead.created event, rebuilt from the row with its original event id, in the outbox
   * for its next attempt, starting a fresh retry cycle. A SENT lead is never requeued, nor one whose delivery is
   * in flight; the lead lock still guards the delivery itself.
   */
  async requeue(leadId: string, next: RequeueMessage): Promise<RequeueResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<LeadEntityRow> = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname, (l.locked_until IS NOT NULL AND l.locked_until > now()) AS in_flight
           FROM lead l JOIN site s ON s.id = l.site_id WHERE l.id = $1 FOR UPDATE OF l`,
        [leadId],
      );
      const row = rows[0];
      if (!row) return 'missing';
      if (row.zapier_status === 'SENT') return 'already-sent';
      if (row.in_flight) return 'in-flight';
      await this.enqueueNext(manager, row, next(row.zapier_attempt_count, 0), 0);
      await notifyOutboxRelays(manager);
      return 'requeued';
    });
  }

  /**
   * PENDING leads nothing will attempt again: not leased, their next attempt long overdue (past `olderThan`), and
   * no unpublished outbox row of theirs waiting. Each is put back on the delivery path at the retry step it was
   * at (same attempt number, so any late copy of its lost message stays a no-op), and returned. This should
   * never find anything; when it does, a message was lost somewhere and this is what saves the lead.
   */
  async requeueStranded(
    olderThan: Date,
    limit: number,
    next: RequeueMessage,
  ): Promise<Array<{ id: string; siteId: string; attempt: number }>> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<LeadEntityRow> = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname
           FROM lead l JOIN site s ON s.id = l.site_id
          WHERE l.zapier_status = 'PENDING' AND l.zapier_next_attempt_at < $1
            AND (l.locked_until IS NULL OR l.locked_until < now())
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = l.id AND o.published_at IS NULL)
          ORDER BY l.zapier_next_attempt_at
          LIMIT $2
            FOR UPDATE OF l SKIP LOCKED`,
        [olderThan, limit],
      );
      for (const row of rows)
        await this.enqueueNext(
          manager,
          row,
          next(row.zapier_attempt_count, row.zapier_cycle_step),
          row.zapier_cycle_step,
        );
      if (rows.length) await notifyOutboxRelays(manager);
      return rows.map((row) => ({ id: row.id, siteId: row.site_id, attempt: row.zapier_attempt_count + 1 }));
    });
  }

  private async enqueueNext(
    manager: EntityManager,
    row: LeadEntityRow,
    message: { topic: string; headers: Record<string, string> },
    cycleStep: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE lead SET zapier_status = 'PENDING', zapier_next_attempt_at = now(), zapier_cycle_step = $2 WHERE id = $1`,
      [row.id, cycleStep],
    );
    await manager.query(
      `INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
      [
        row.id,
        message.topic,
        LEAD_CREATED_TYPE,
        JSON.stringify(leadCreatedEventOf(row)),
        JSON.stringify(message.headers),
      ],
    );
  }
}

/** A lead row as `SELECT l.*, s.hostname AS site_hostname` returns it. */
interface LeadEntityRow extends StoredLeadRow {
  zapier_status: ZapierStatus | null;
  zapier_attempt_count: number;
  zapier_cycle_step: number;
  in_flight?: boolean;
}
