import type { DataSource, EntityManager } from 'typeorm';
import {
  buildLeadCreatedEvent,
  type ExtraValue,
  HEADERS,
  LEAD_CREATED_TYPE,
  type LeadCreatedEvent,
} from '@leadhooks/contracts';
import { DeliveryAttemptEntity, LeadEntity, ZapierStatus } from '../entities/index.js';
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

const LEAD_COLUMNS = `id, site_id, submitted_at, page_url, lead_source, form_type, name, email, phone, message,
  extra, client_ip, user_agent, idempotency_key, event_id, zapier_status`;
const LEAD_PLACEHOLDERS = Array.from({ length: 16 }, (_, i) => `$${i + 1}`).join(', ');

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

/** Leads and their delivery history. */
export class LeadRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a lead alone (no event) with a given status, inside the caller's transaction (tools and tests). */
  async insert(manager: EntityManager, lead: NewLead, zapierStatus: ZapierStatus): Promise<void> {
    await manager.query(`INSERT INTO lead (${LEAD_COLUMNS}) VALUES (${LEAD_PLACEHOLDERS})`, [
      ...leadValues(lead),
      zapierStatus,
    ]);
  }

  /**
   * The intake write for many leads at once (group commit): every lead and its outbox event in ONE statement,
   * so one round trip and one commit for the lot; all rows commit or none do. Each lead's `zapier_status` is
   * decided from the site row as this statement reads it, so a hook enabled or disabled through any instance
   * applies to every lead committed after it (no cached site decides delivery). A lead whose idempotency key is
   * already taken (stored before, or earlier in this batch), or whose site no longer exists, is not stored; the
   * returned map holds the stored leads' ids and statuses.
   */
  async insertBatchWithEvents(
    items: Array<{ lead: NewLead; event: Omit<NewOutboxMessage, 'aggregateId'> }>,
  ): Promise<Map<string, ZapierStatus>> {
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
      event_type: event.eventType,
      payload: event.payload,
      headers: event.headers ?? {},
    }));
    const stored: Array<{ id: string; zapier_status: ZapierStatus }> = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
           id uuid, site_id uuid, submitted_at timestamptz, page_url text, lead_source text, form_type text, name text,
           email text, phone text, message text, extra jsonb, client_ip text, user_agent text, idempotency_key text,
           event_id uuid, event_type text, payload jsonb, headers jsonb)
       ), stored AS (
         INSERT INTO lead (${LEAD_COLUMNS})
         SELECT input.id, input.site_id, input.submitted_at, input.page_url, input.lead_source, input.form_type, input.name,
                input.email, input.phone, input.message, input.extra, input.client_ip, input.user_agent, input.idempotency_key,
                input.event_id,
                CASE WHEN s.zapier_enabled AND s.zapier_webhook_url IS NOT NULL THEN 'PENDING' ELSE 'NOT_CONFIGURED' END
           FROM input JOIN site s ON s.id = input.site_id
         ON CONFLICT (site_id, idempotency_key) DO NOTHING
         RETURNING id, zapier_status
       ), events AS (
         INSERT INTO outbox (aggregate_id, event_type, payload, headers)
         SELECT input.id, input.event_type, input.payload, input.headers FROM input JOIN stored USING (id)
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
   * (history kept) and a lead.created event for its next attempt in the outbox, starting a fresh retry cycle
   * with the original event id. A SENT lead is never requeued, nor one whose delivery is in flight; the
   * lead lock still guards the delivery itself.
   */
  async requeue(leadId: string, headers: Record<string, string> = {}): Promise<RequeueResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<Record<string, unknown>> = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname, (l.locked_until IS NOT NULL AND l.locked_until > now()) AS in_flight
           FROM lead l JOIN site s ON s.id = l.site_id WHERE l.id = $1 FOR UPDATE OF l`,
        [leadId],
      );
      const row = rows[0];
      if (!row) return 'missing';
      if (row.zapier_status === 'SENT') return 'already-sent';
      if (row.in_flight) return 'in-flight';
      await manager.query(`UPDATE lead SET zapier_status = 'PENDING' WHERE id = $1`, [leadId]);
      const submittedAt = row.submitted_at as Date;
      const event = buildLeadCreatedEvent(row.event_id as string, submittedAt, {
        lead_id: leadId,
        site_id: row.site_id as string,
        site_hostname: row.site_hostname as string,
        submitted_at: submittedAt.toISOString(),
        page_url: row.page_url as string | null,
        lead_source: row.lead_source as string | null,
        form_type: row.form_type as string | null,
        name: row.name as string | null,
        email: row.email as string | null,
        phone: row.phone as string | null,
        message: row.message as string | null,
        extra: row.extra as Record<string, ExtraValue>,
      });
      await manager.query(
        `INSERT INTO outbox (aggregate_id, event_type, payload, headers) VALUES ($1, $2, $3, $4)`,
        [
          leadId,
          LEAD_CREATED_TYPE,
          JSON.stringify(event),
          JSON.stringify({
            ...headers,
            [HEADERS.attempt]: String((row.zapier_attempt_count as number) + 1),
            [HEADERS.cycleStep]: '0',
          }),
        ],
      );
      await notifyOutboxRelays(manager);
      return 'requeued';
    });
  }
}
