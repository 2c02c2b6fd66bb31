import type { DataSource, EntityManager } from 'typeorm';
import { buildLeadCreatedEvent, type ExtraValue, HEADERS, LEAD_CREATED_TYPE } from '@leadhooks/contracts';
import { DeliveryAttemptEntity, LeadEntity, ZapierStatus } from '../entities/index.js';

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
  zapierStatus: ZapierStatus;
}

export type RequeueResult = 'requeued' | 'missing' | 'already-sent' | 'in-flight';

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } } | null)?.driverError ?? error;
  const { code, constraint: name } = (driverError ?? {}) as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && (constraint === undefined || name === constraint);
}

/** Leads and their delivery history. */
export class LeadRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts inside the caller's transaction. Throws a unique violation on a repeated idempotency key. */
  async insert(manager: EntityManager, lead: NewLead): Promise<void> {
    await manager.query(
      `INSERT INTO lead (id, site_id, submitted_at, page_url, lead_source, form_type, name, email, phone, message,
                         extra, client_ip, user_agent, idempotency_key, event_id, zapier_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
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
        lead.zapierStatus,
      ],
    );
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
      query.andWhere('(lead.submittedAt, lead.id) < (:afterAt, :afterId)', { afterAt: filter.after.submittedAt, afterId: filter.after.id });
    }
    return query.orderBy('lead.submittedAt', 'DESC').addOrderBy('lead.id', 'DESC').limit(filter.limit).getMany();
  }

  listAttempts(leadId: string): Promise<DeliveryAttemptEntity[]> {
    return this.dataSource.getRepository(DeliveryAttemptEntity).find({ where: { leadId }, order: { attempt: 'ASC', id: 'ASC' } });
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
      await manager.query(`INSERT INTO outbox (aggregate_id, event_type, payload, headers) VALUES ($1, $2, $3, $4)`, [
        leadId,
        LEAD_CREATED_TYPE,
        JSON.stringify(event),
        JSON.stringify({
          ...headers,
          [HEADERS.attempt]: String((row.zapier_attempt_count as number) + 1),
          [HEADERS.cycleStep]: '0',
        }),
      ]);
      return 'requeued';
    });
  }
}
