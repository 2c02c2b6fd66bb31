import type { DataSource, EntityManager } from 'typeorm';
import {
  type ExtraValue,
  LEAD_CREATED_TYPE,
  type LeadCreatedEvent,
  type LeadFields,
  type LeadUpdatedData,
  type LeadUpdatedEvent,
  leadSnapshot,
  sealLeadEvent,
  type LeadDataEvent,
  LEAD_UPDATED_TOPIC,
  LEAD_UPDATED_TYPE,
  ZAPIER_ENDPOINT_NAME,
} from '@leadhooks/contracts';
import { GroupCommit, type GroupCommitOptions } from '../batching/group-commit.js';
import { poolQuery, type PoolQuery } from '../batching/pool-query.js';
import { LeadEntity, type ZapierStatus } from '../entities/index.js';
import { type LeadPatch, leadChanges } from '../leads/lead-changes.js';
import { leadCreatedEventOf, leadFieldsOf, type StoredLeadRow } from '../leads/lead-snapshot.js';
import type { LeadKeyRepository } from './lead-key.repository.js';
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

/** What a PATCH did: nothing (no value changed: no event), or a new version with its lead.updated event. */
export type LeadUpdateResult =
  | { kind: 'missing' }
  | { kind: 'invalid'; field: string; message: string }
  | { kind: 'unchanged'; lead: LeadEntity }
  | { kind: 'updated'; lead: LeadEntity; event: LeadUpdatedEvent };

/** Whether the site's `zapier` endpoint takes lead.created now (a lead's initial `zapier_status`). */
const ZAPIER_TAKES_LEAD_CREATED = (siteId: string) => `EXISTS (
  SELECT 1 FROM endpoint e
   WHERE e.site_id = ${siteId} AND e.name = '${ZAPIER_ENDPOINT_NAME}' AND e.kind = 'manual' AND e.deleted_at IS NULL
     AND e.enabled AND e.url IS NOT NULL AND '${LEAD_CREATED_TYPE}' = ANY (e.events))`;

type IntakeItem = { lead: NewLead; event: Omit<NewOutboxMessage, 'aggregateId'>; dataKey: string };

/** Leads and their delivery history. */
export class LeadRepository {
  private readonly intake: GroupCommit<IntakeItem, StoreResult>;
  private readonly hotQuery: PoolQuery;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leadKeys: LeadKeyRepository,
    intakeBatching: GroupCommitOptions = { concurrency: 4, maxBatch: 100 },
  ) {
    this.hotQuery = poolQuery(dataSource);
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
   * commit; each caller is answered after the commit that holds its lead. The lead gets its data key in the same
   * statement, and the event goes into the outbox sealed under it (docs/privacy.md).
   */
  store(lead: NewLead, event: Omit<NewOutboxMessage, 'aggregateId'>): Promise<StoreResult> {
    const dataKey = this.leadKeys.create();
    const payload = sealLeadEvent(event.payload as LeadDataEvent, dataKey.key);
    return this.intake.submit({ lead, event: { ...event, payload }, dataKey: dataKey.sealed });
  }

  /**
   * Inserts a lead alone (no event) with a given status, inside the caller's transaction (tools and tests). A
   * PENDING one counts as not fanned out yet (its event is the caller's to publish); any other as handled.
   */
  async insert(manager: EntityManager, lead: NewLead, zapierStatus: ZapierStatus): Promise<void> {
    await manager.query(
      `INSERT INTO lead (${LEAD_COLUMNS}, zapier_status, fanned_out_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, CASE WHEN $16 = 'PENDING' THEN NULL ELSE now() END)`,
      [...leadValues(lead), zapierStatus],
    );
  }

  /**
   * The intake write for many leads at once (group commit): every lead and its outbox event in ONE statement,
   * so one round trip and one commit for the lot; all rows commit or none do. Each lead's `zapier_status` is
   * decided from the site's `zapier` endpoint as this statement reads it, so a hook enabled or disabled through any
   * instance applies to every lead committed after it (no cached site decides delivery). A lead whose idempotency key is
   * already taken (stored before, or earlier in this batch), or whose site no longer exists, is not stored; the
   * returned map holds the stored leads' ids and statuses.
   */
  private async insertBatchWithEvents(items: IntakeItem[]): Promise<Map<string, ZapierStatus>> {
    const rows = items.map(({ lead, event, dataKey }) => ({
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
      data_key: dataKey,
    }));
    const stored = await this.hotQuery<{ id: string; zapier_status: ZapierStatus }>(
      `WITH input AS (
         SELECT t.*, CASE WHEN ${ZAPIER_TAKES_LEAD_CREATED('s.id')} THEN 'PENDING' ELSE 'NOT_CONFIGURED' END AS status
           FROM jsonb_to_recordset($1::jsonb) AS t(
                  id uuid, site_id uuid, submitted_at timestamptz, page_url text, lead_source text, form_type text, name text,
                  email text, phone text, message text, extra jsonb, client_ip text, user_agent text, idempotency_key text,
                  event_id uuid, topic text, event_type text, payload jsonb, headers jsonb, data_key text)
           JOIN site s ON s.id = t.site_id
       ), stored AS (
         INSERT INTO lead (${LEAD_COLUMNS}, zapier_status)
         SELECT ${LEAD_COLUMNS}, status FROM input
         ON CONFLICT (site_id, idempotency_key) DO NOTHING
         RETURNING id, zapier_status
       ), events AS (
         INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers)
         SELECT input.id, input.topic, input.event_type, input.payload, input.headers FROM input JOIN stored USING (id)
       ), keys AS (
         INSERT INTO lead_key (lead_id, sealed_key) SELECT input.id, input.data_key FROM input JOIN stored USING (id)
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

  /**
   * A PATCH (SPEC §11): the values that really change are written with a new version, and the lead.updated event
   * (the whole lead as it now is, `changes`, `version`) goes into the outbox in the same transaction; a PATCH that
   * changes nothing writes nothing and emits nothing. `check` sees the lead as it would become (e.g. "email or
   * phone") and may refuse it; `event` builds the envelope; `headers` are the outbox message's (first attempt).
   */
  async update(
    leadId: string,
    patch: LeadPatch,
    options: {
      check: (next: LeadFields) => { field: string; message: string } | null;
      event: (data: LeadUpdatedData) => LeadUpdatedEvent;
      headers: Record<string, string>;
    },
  ): Promise<LeadUpdateResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: StoredLeadRow[] = await manager.query(
        `SELECT l.*, s.hostname AS site_hostname FROM lead l JOIN site s ON s.id = l.site_id
          WHERE l.id = $1 AND l.erased_at IS NULL FOR UPDATE OF l`,
        [leadId],
      );
      const row = rows[0];
      if (!row) return { kind: 'missing' };
      const current = leadFieldsOf(row);
      const { next, changes } = leadChanges(current, patch);
      const repository = manager.getRepository(LeadEntity);
      if (!Object.keys(changes).length)
        return { kind: 'unchanged', lead: (await repository.findOneBy({ id: leadId }))! };
      const problem = options.check(next);
      if (problem) return { kind: 'invalid', ...problem };
      const [updated]: [Array<{ version: number }>, number] = await manager.query(
        `UPDATE lead SET name = $2, email = $3, phone = $4, message = $5, page_url = $6, lead_source = $7, form_type = $8,
                         extra = $9, version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING version`,
        [
          leadId,
          next.name,
          next.email,
          next.phone,
          next.message,
          next.pageUrl,
          next.leadSource,
          next.formType,
          JSON.stringify(next.extra),
        ],
      );
      const version = updated[0].version;
      const event = options.event({ ...leadSnapshot(next), version, changes });
      // Never null here: the lead is locked and not erased (erasure takes the same lock).
      const sealed = await this.leadKeys.seal(manager, event);
      await manager.query(
        `INSERT INTO lead_update (event_id, lead_id, version, payload) VALUES ($1, $2, $3, $4)`,
        [event.id, leadId, version, JSON.stringify(event)],
      );
      await manager.query(
        `INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
        [
          leadId,
          LEAD_UPDATED_TOPIC,
          LEAD_UPDATED_TYPE,
          JSON.stringify(sealed),
          JSON.stringify(options.headers),
        ],
      );
      await notifyOutboxRelays(manager);
      return { kind: 'updated', lead: (await repository.findOneBy({ id: leadId }))!, event };
    });
  }

  /** The newest leads of a site (Zapier's sample list). */
  listNewest(siteId: string, limit: number): Promise<LeadEntity[]> {
    return this.dataSource
      .getRepository(LeadEntity)
      .find({ where: { siteId }, order: { submittedAt: 'DESC', id: 'DESC' }, take: limit });
  }

  /**
   * A site's newest events of one type, as they were emitted (Zapier's sample list for a trigger): the lead.created
   * of its newest leads, or its newest lead.updated events.
   */
  async newestEvents(
    siteId: string,
    type: typeof LEAD_CREATED_TYPE,
    limit: number,
  ): Promise<LeadCreatedEvent[]>;
  async newestEvents(
    siteId: string,
    type: typeof LEAD_UPDATED_TYPE,
    limit: number,
  ): Promise<LeadUpdatedEvent[]>;
  async newestEvents(
    siteId: string,
    type: typeof LEAD_CREATED_TYPE | typeof LEAD_UPDATED_TYPE,
    limit: number,
  ): Promise<Array<LeadCreatedEvent | LeadUpdatedEvent>> {
    if (type === LEAD_UPDATED_TYPE) {
      const rows: Array<{ payload: LeadUpdatedEvent }> = await this.dataSource.query(
        `SELECT u.payload FROM lead_update u JOIN lead l ON l.id = u.lead_id
          WHERE l.site_id = $1 ORDER BY u.created_at DESC, u.event_id DESC LIMIT $2`,
        [siteId, limit],
      );
      return rows.map((row) => row.payload);
    }
    const rows: StoredLeadRow[] = await this.dataSource.query(
      `SELECT l.*, s.hostname AS site_hostname FROM lead l JOIN site s ON s.id = l.site_id
        WHERE l.site_id = $1 AND l.erased_at IS NULL ORDER BY l.submitted_at DESC, l.id DESC LIMIT $2`,
      [siteId, limit],
    );
    return rows.map(leadCreatedEventOf);
  }

  /** A lead's lead.created event as stored (its original event id), or null: what a mapping preview renders. */
  async createdEvent(leadId: string): Promise<LeadCreatedEvent | null> {
    const rows: StoredLeadRow[] = await this.dataSource.query(
      `SELECT l.*, s.hostname AS site_hostname FROM lead l JOIN site s ON s.id = l.site_id WHERE l.id = $1`,
      [leadId],
    );
    return rows[0] ? leadCreatedEventOf(rows[0]) : null;
  }

  /**
   * Leads with this email (any case) or this phone (same digits, whatever the punctuation), newest first, in one
   * site (or every site: admin search). Both given: leads matching both.
   */
  search(
    siteId: string | undefined,
    by: { email?: string; phone?: string },
    limit: number,
  ): Promise<LeadEntity[]> {
    const query = this.dataSource.getRepository(LeadEntity).createQueryBuilder('lead');
    if (siteId) query.andWhere('lead.siteId = :siteId', { siteId });
    if (by.email !== undefined) query.andWhere('lower(lead.email) = lower(:email)', { email: by.email });
    if (by.phone !== undefined)
      query.andWhere(`regexp_replace(lead.phone, '\\D', '', 'g') = :digits`, {
        digits: by.phone.replace(/\D/g, ''),
      });
    return query.orderBy('lead.submittedAt', 'DESC').addOrderBy('lead.id', 'DESC').limit(limit).getMany();
  }
}
