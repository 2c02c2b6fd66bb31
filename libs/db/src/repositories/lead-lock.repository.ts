import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { GroupCommit, type GroupCommitOptions } from '../batching/group-commit.js';
import type { ZapierStatus } from '../entities/index.js';
import type { SealedSiteRow, Site, SiteRepository } from './site.repository.js';

/** What the lock saw when a delivery message asked to attempt a lead. */
export type ClaimResult =
  | { kind: 'claimed'; token: string; site: Site; attemptCount: number; leaseUntil: Date }
  | { kind: 'missing' }
  | { kind: 'already-sent' }
  | { kind: 'not-pending'; status: ZapierStatus | null }
  | { kind: 'stale'; attemptCount: number }
  | { kind: 'leased'; until: Date }
  | { kind: 'not-configured' };

export interface LeadLockRow {
  zapierStatus: ZapierStatus | null;
  attemptCount: number;
  lockedUntil: Date | null;
  siteEnabled: boolean;
  siteHasUrl: boolean;
}

/**
 * The decision of the lead lock, kept pure so it can be tested without a database.
 * `attempt` is the attempt number the message is for; only the lead's next attempt may run.
 */
export function decideClaim(
  row: LeadLockRow,
  attempt: number,
  now: Date,
): Exclude<ClaimResult, { kind: 'claimed' | 'missing' }> | 'claim' {
  if (row.zapierStatus === 'SENT') return { kind: 'already-sent' };
  if (row.zapierStatus !== 'PENDING') return { kind: 'not-pending', status: row.zapierStatus };
  if (attempt !== row.attemptCount + 1) return { kind: 'stale', attemptCount: row.attemptCount };
  if (row.lockedUntil && row.lockedUntil > now) return { kind: 'leased', until: row.lockedUntil };
  if (!row.siteEnabled || !row.siteHasUrl) return { kind: 'not-configured' };
  return 'claim';
}

export interface AttemptRecord {
  attempt: number;
  tier: string;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  errorClass: string | null;
  error: string | null;
  responseSnippet: string | null;
}

export const LAST_ERROR_MAX = 500;

export function truncate(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The lead lock: one delivery in flight per lead, never a second delivery after a recorded 2xx.
 *
 * Shape (SPEC §6): one short statement takes the row with SELECT … FOR UPDATE, checks it and writes a lease
 * (a fresh lock_token and locked_until) as it commits; the HTTP call runs with no transaction and no
 * pinned connection; the outcome is written by one statement guarded by that token. Why this is safe under
 * crashes: the row lock serialises concurrent claimers, so only one sees the lease free; a process that dies
 * mid-delivery leaves a lease that simply expires (its message is consumed again and waits for that expiry),
 * so the lead is retried, never stuck; and a slow process whose lease was taken over cannot overwrite the new
 * holder's outcome because its token no longer matches. The lease is longer than the HTTP timeout, so a live
 * holder always finishes (and records) before anyone else may claim.
 * Claims and outcomes are group-committed: under load one statement serves many deliveries.
 */
export class LeadLockRepository {
  private readonly claims: GroupCommit<ClaimRequest, ClaimResult>;
  private readonly outcomes: GroupCommit<OutcomeRequest, boolean>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sites: SiteRepository,
    batching: GroupCommitOptions = { concurrency: 4, maxBatch: 100 },
  ) {
    this.claims = new GroupCommit((requests) => this.claimBatch(requests), batching);
    this.outcomes = new GroupCommit((requests) => this.recordBatch(requests), batching);
  }

  /** Checks the lead and, when its next attempt may run, takes its lease (group-committed with other claims). */
  claim(leadId: string, attempt: number, leaseMs: number): Promise<ClaimResult> {
    return this.claims.submit({ leadId, attempt, leaseMs, token: randomUUID() });
  }

  /** Records a 2xx: SENT, attempt row, lease released. False when the lease was lost (outcome discarded). */
  recordSuccess(leadId: string, token: string, record: AttemptRecord): Promise<boolean> {
    return this.outcomes.submit({ leadId, token, record, status: 'SENT' });
  }

  /** Records a failed attempt; `final` marks the lead FAILED (it went to the DLT). */
  recordFailure(leadId: string, token: string, record: AttemptRecord, final: boolean): Promise<boolean> {
    return this.outcomes.submit({ leadId, token, record, status: final ? 'FAILED' : 'PENDING' });
  }

  /**
   * Many claims in ONE statement (its own transaction): `target` locks the leads FOR UPDATE in id order (so
   * concurrent batches cannot deadlock), and a concurrent claimer of the same lead waits, then re-reads the
   * row as the winner committed it (READ COMMITTED re-check) and finds the lease taken. For each lead exactly
   * one of the two updates can match. A lead asked for twice in one batch is claimed once; the other request
   * is told it is leased and looks again shortly.
   */
  private async claimBatch(requests: ClaimRequest[]): Promise<ClaimResult[]> {
    const firstOf = new Map<string, ClaimRequest>();
    for (const request of requests) if (!firstOf.has(request.leadId)) firstOf.set(request.leadId, request);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(lead_id uuid, attempt int, token uuid, lease_ms double precision)
       ), target AS (
         SELECT l.id, l.zapier_status, l.zapier_attempt_count, l.locked_until, input.token, input.lease_ms,
                (l.zapier_status = 'PENDING' AND l.zapier_attempt_count + 1 = input.attempt
                  AND (l.locked_until IS NULL OR l.locked_until <= now())) AS free,
                (s.zapier_enabled AND s.zapier_webhook_url IS NOT NULL) AS configured,
                s.zapier_enabled AS s_enabled, s.zapier_webhook_url AS s_url, to_jsonb(s) AS site
           FROM input JOIN lead l ON l.id = input.lead_id JOIN site s ON s.id = l.site_id
          ORDER BY l.id
            FOR UPDATE OF l
       ), leased AS (
         UPDATE lead SET lock_token = target.token, locked_until = now() + make_interval(secs => target.lease_ms / 1000)
           FROM target WHERE lead.id = target.id AND target.free AND target.configured
         RETURNING lead.id, lead.locked_until
       ), unconfigured AS (
         UPDATE lead SET zapier_status = 'NOT_CONFIGURED'
           FROM target WHERE lead.id = target.id AND target.free AND NOT target.configured
         RETURNING lead.id
       )
       SELECT target.*, now() AS db_now, leased.locked_until AS lease_until FROM target LEFT JOIN leased USING (id)`,
      [
        JSON.stringify(
          [...firstOf.values()].map((request) => ({
            lead_id: request.leadId,
            attempt: request.attempt,
            token: request.token,
            lease_ms: request.leaseMs,
          })),
        ),
      ],
    );
    const byLead = new Map(rows.map((row) => [row.id as string, row]));
    return requests.map((request) => {
      if (firstOf.get(request.leadId) !== request)
        return { kind: 'leased', until: new Date(Date.now() + 200) };
      const row = byLead.get(request.leadId);
      return row ? this.claimResult(request, row) : { kind: 'missing' };
    });
  }

  private claimResult(request: ClaimRequest, row: Record<string, unknown>): ClaimResult {
    if (row.lease_until === null) {
      const decision = decideClaim(
        {
          zapierStatus: row.zapier_status as ZapierStatus | null,
          attemptCount: row.zapier_attempt_count as number,
          lockedUntil: row.locked_until as Date | null,
          siteEnabled: row.s_enabled as boolean,
          siteHasUrl: row.s_url !== null,
        },
        request.attempt,
        row.db_now as Date,
      );
      // The statement and decideClaim apply the same rules; should they ever disagree, wait and look again.
      return decision === 'claim' ? { kind: 'leased', until: new Date(Date.now() + 1000) } : decision;
    }
    const site = this.sites.open(row.site as SealedSiteRow);
    return {
      kind: 'claimed',
      token: request.token,
      site,
      attemptCount: row.zapier_attempt_count as number,
      leaseUntil: row.lease_until as Date,
    };
  }

  /**
   * Many outcomes in ONE statement: each lead is updated only while it still holds the caller's token, and
   * gets its delivery_attempt row only then. Rows are locked in id order, as claims lock them.
   */
  private async recordBatch(requests: OutcomeRequest[]): Promise<boolean[]> {
    const rows: Array<{ lead_id: string; token: string }> = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
           lead_id uuid, token uuid, status text, attempt int, started_at timestamptz, last_error text, tier text,
           duration_ms int, http_status int, error_class text, response_snippet text)
       ), locked AS (
         SELECT l.id, input.* FROM input JOIN lead l ON l.id = input.lead_id AND l.lock_token = input.token
          ORDER BY l.id
            FOR UPDATE OF l
       ), updated AS (
         UPDATE lead
            SET zapier_status = locked.status,
                zapier_attempt_count = locked.attempt,
                zapier_last_attempt_at = locked.started_at,
                zapier_last_error = locked.last_error,
                zapier_sent_at = CASE WHEN locked.status = 'SENT' THEN now() ELSE lead.zapier_sent_at END,
                lock_token = NULL,
                locked_until = NULL
           FROM locked
          WHERE lead.id = locked.id AND lead.lock_token = locked.token
          RETURNING locked.*
       ), attempts AS (
         INSERT INTO delivery_attempt (lead_id, attempt, tier, started_at, duration_ms, http_status, error_class, error, response_snippet)
         SELECT lead_id, attempt, tier, started_at, duration_ms, http_status, error_class, last_error, response_snippet FROM updated
       )
       SELECT lead_id, token FROM updated`,
      [
        JSON.stringify(
          requests.map(({ leadId, token, record, status }) => ({
            lead_id: leadId,
            token,
            status,
            attempt: record.attempt,
            started_at: record.startedAt.toISOString(),
            last_error: status === 'SENT' ? null : truncate(record.error, LAST_ERROR_MAX),
            tier: record.tier,
            duration_ms: record.durationMs,
            http_status: record.httpStatus,
            error_class: record.errorClass,
            response_snippet: truncate(record.responseSnippet, 2000),
          })),
        ),
      ],
    );
    const recorded = new Set(rows.map((row) => `${row.lead_id}/${row.token}`));
    return requests.map((request) => recorded.has(`${request.leadId}/${request.token}`));
  }
}

interface ClaimRequest {
  leadId: string;
  attempt: number;
  leaseMs: number;
  token: string;
}

interface OutcomeRequest {
  leadId: string;
  token: string;
  record: AttemptRecord;
  status: ZapierStatus;
}
