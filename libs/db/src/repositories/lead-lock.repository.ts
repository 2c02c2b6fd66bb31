import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LEAD_CREATED_TYPE } from '@leadhooks/contracts';
import { GroupCommit, type GroupCommitOptions } from '../batching/group-commit.js';
import type { ZapierStatus } from '../entities/index.js';
import type { SealedSiteRow, Site, SiteRepository } from './site.repository.js';

/** What the lock saw when a delivery message asked to attempt a lead. */
export type ClaimResult =
  | {
      kind: 'claimed';
      token: string;
      site: Site;
      attemptCount: number;
      leaseUntil: Date;
      /**
       * Local monotonic time (performance.now()) by which the lease ends, measured conservatively from before the
       * claim was sent: the lease's remaining time by the database clock, counted from that earlier instant.
       */
      leaseDeadline: number;
    }
  | { kind: 'missing' }
  | { kind: 'already-sent' }
  | { kind: 'not-pending'; status: ZapierStatus | null }
  | { kind: 'stale'; attemptCount: number }
  | { kind: 'leased'; until: Date }
  | { kind: 'not-configured' };

type Verdict = Exclude<ClaimResult['kind'], 'missing'>;

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

/** The message that carries a failed lead on (next retry tier or DLT), written with the failure itself. */
export interface HandOn {
  /** Logical topic. */
  topic: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface FailureOutcome {
  /** true: retries are exhausted (or pointless) and the lead is FAILED; its hand-on goes to the DLT. */
  final: boolean;
  handOn: HandOn;
  /** When the next attempt is due (retry), for the stranded-lead sweep. */
  nextAttemptAt: Date | null;
  /** Retry-cycle step of the next attempt. */
  nextCycleStep: number;
}

export const LAST_ERROR_MAX = 500;

export function truncate(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The claim of one lead, as a person would run it in psql (the statement below does the same for a batch):
 *
 *   BEGIN;
 *   SELECT l.zapier_status, l.zapier_attempt_count, l.locked_until, s.zapier_enabled, s.zapier_webhook_url IS NOT NULL
 *     FROM lead l JOIN site s ON s.id = l.site_id WHERE l.id = :lead FOR UPDATE OF l;
 *   -- SENT → already-sent; not PENDING → not-pending; :attempt <> attempt_count + 1 → stale;
 *   -- locked_until > now() → leased; hook disabled or no URL → not-configured (and mark it so); else:
 *   UPDATE lead SET lock_token = :token, locked_until = now() + :lease WHERE id = :lead;
 *   COMMIT;
 */
const CLAIM_BATCH = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(lead_id uuid, attempt int, token uuid, lease_ms double precision)
  ), target AS (
    SELECT l.id, l.zapier_status, l.zapier_attempt_count, l.locked_until, input.token, input.lease_ms,
           CASE
             WHEN l.zapier_status = 'SENT' THEN 'already-sent'
             WHEN l.zapier_status IS DISTINCT FROM 'PENDING' THEN 'not-pending'
             WHEN input.attempt <> l.zapier_attempt_count + 1 THEN 'stale'
             WHEN l.locked_until > now() THEN 'leased'
             WHEN NOT (s.zapier_enabled AND s.zapier_webhook_url IS NOT NULL) THEN 'not-configured'
             ELSE 'claimed'
           END AS verdict,
           to_jsonb(s) AS site
      FROM input JOIN lead l ON l.id = input.lead_id JOIN site s ON s.id = l.site_id
     ORDER BY l.id
       FOR UPDATE OF l
  ), leased AS (
    UPDATE lead SET lock_token = target.token, locked_until = now() + make_interval(secs => target.lease_ms / 1000)
      FROM target WHERE lead.id = target.id AND target.verdict = 'claimed'
    RETURNING lead.id, lead.locked_until
  ), unconfigured AS (
    UPDATE lead SET zapier_status = 'NOT_CONFIGURED', zapier_next_attempt_at = NULL
      FROM target WHERE lead.id = target.id AND target.verdict = 'not-configured'
  )
  SELECT target.id, target.verdict, target.zapier_status, target.zapier_attempt_count, target.locked_until,
         leased.locked_until AS lease_until, clock_timestamp() AS db_now,
         CASE WHEN target.verdict = 'claimed' THEN target.site END AS site
    FROM target LEFT JOIN leased USING (id)`;

/**
 * Many outcomes in ONE statement. Each lead is updated only while it still holds the caller's token; a failure's
 * hand-on (next tier or DLT) is written to the outbox by the same statement, so a recorded failure and the
 * message that carries the lead on cannot exist one without the other. Every HTTP attempt leaves a
 * delivery_attempt row, marked `lease_lost` when the lease had been taken over (its outcome changed nothing).
 * Rows are locked in id order, as claims lock them.
 */
const RECORD_BATCH = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
      lead_id uuid, token uuid, status text, attempt int, started_at timestamptz, last_error text, tier text,
      duration_ms int, http_status int, error_class text, response_snippet text, next_attempt_at timestamptz,
      cycle_step int, hand_on_topic text, hand_on_payload jsonb, hand_on_headers jsonb)
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
           zapier_next_attempt_at = locked.next_attempt_at,
           zapier_cycle_step = locked.cycle_step,
           lock_token = NULL,
           locked_until = NULL
      FROM locked
     WHERE lead.id = locked.id AND lead.lock_token = locked.token
     RETURNING locked.*
  ), attempts AS (
    INSERT INTO delivery_attempt (lead_id, attempt, tier, started_at, duration_ms, http_status, error_class, error, response_snippet, lease_lost)
    SELECT input.lead_id, input.attempt, input.tier, input.started_at, input.duration_ms, input.http_status, input.error_class,
           input.last_error, input.response_snippet,
           NOT EXISTS (SELECT 1 FROM updated WHERE updated.lead_id = input.lead_id AND updated.token = input.token)
      FROM input JOIN lead l ON l.id = input.lead_id
  ), handed_on AS (
    INSERT INTO outbox (aggregate_id, topic, event_type, payload, headers)
    SELECT lead_id, hand_on_topic, '${LEAD_CREATED_TYPE}', hand_on_payload, hand_on_headers FROM updated WHERE hand_on_topic IS NOT NULL
  )
  SELECT lead_id, token FROM updated`;

/**
 * The lead lock: one delivery in flight per lead, never a second delivery after a recorded 2xx.
 *
 * Shape (SPEC §6): one short statement takes the row with SELECT … FOR UPDATE, checks it and writes a lease
 * (a fresh lock_token and locked_until) as it commits; the HTTP call runs with no transaction and no
 * pinned connection; the outcome is written by one statement guarded by that token. Why this is safe under
 * crashes: the row lock serialises concurrent claimers, so only one sees the lease free; a process that dies
 * mid-delivery leaves a lease that simply expires (its message is consumed again and waits for that expiry),
 * so the lead is retried, never stuck; and a slow process whose lease was taken over cannot overwrite the new
 * holder's outcome because its token no longer matches. The lease is longer than the HTTP timeout, and a holder
 * that stalled after its claim (GC, VM pause, SIGSTOP) checks before sending that the lease still covers the
 * timeout (`leaseDeadline`), so a live holder finishes before anyone else may claim.
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
    return this.claims.submit({ leadId, attempt, leaseMs, token: randomUUID(), sentAt: performance.now() });
  }

  /** Records a 2xx: SENT, attempt row, lease released. False when the lease was lost (outcome discarded). */
  recordSuccess(leadId: string, token: string, record: AttemptRecord): Promise<boolean> {
    return this.outcomes.submit({
      leadId,
      token,
      record,
      status: 'SENT',
      nextAttemptAt: null,
      cycleStep: 0,
      handOn: null,
    });
  }

  /**
   * Records a failed attempt and, in the same statement, the message that carries the lead on; `final` marks the
   * lead FAILED (its hand-on goes to the DLT). False when the lease was lost (nothing changed, nothing handed on).
   */
  recordFailure(
    leadId: string,
    token: string,
    record: AttemptRecord,
    outcome: FailureOutcome,
  ): Promise<boolean> {
    return this.outcomes.submit({
      leadId,
      token,
      record,
      status: outcome.final ? 'FAILED' : 'PENDING',
      nextAttemptAt: outcome.final ? null : outcome.nextAttemptAt,
      cycleStep: outcome.nextCycleStep,
      handOn: outcome.handOn,
    });
  }

  /** Gives a lease back without an attempt (a holder that may no longer send); false when it was already gone. */
  async release(leadId: string, token: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE lead SET lock_token = NULL, locked_until = NULL WHERE id = $1 AND lock_token = $2`,
      [leadId, token],
    );
    return affected === 1;
  }

  /**
   * Marks a PENDING lead FAILED without an attempt (its message cannot be delivered: an unreadable event);
   * false when the lead is missing, leased, or not PENDING.
   */
  async failUndeliverable(leadId: string, reason: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE lead SET zapier_status = 'FAILED', zapier_last_error = $2, zapier_next_attempt_at = NULL
        WHERE id = $1 AND zapier_status = 'PENDING' AND (locked_until IS NULL OR locked_until <= now())`,
      [leadId, truncate(reason, LAST_ERROR_MAX)],
    );
    return affected === 1;
  }

  /**
   * Many claims in ONE statement (its own transaction): `target` locks the leads FOR UPDATE in id order (so
   * concurrent batches cannot deadlock), and a concurrent claimer of the same lead waits, then re-reads the
   * row as the winner committed it (READ COMMITTED re-check) and finds the lease taken. The verdict is the
   * statement's own. A lead asked for twice in one batch is claimed once; the other request is told it is
   * leased and looks again shortly.
   */
  private async claimBatch(requests: ClaimRequest[]): Promise<ClaimResult[]> {
    const firstOf = new Map<string, ClaimRequest>();
    for (const request of requests) if (!firstOf.has(request.leadId)) firstOf.set(request.leadId, request);
    const rows: ClaimRow[] = await this.dataSource.query(CLAIM_BATCH, [
      JSON.stringify(
        [...firstOf.values()].map((r) => ({
          lead_id: r.leadId,
          attempt: r.attempt,
          token: r.token,
          lease_ms: r.leaseMs,
        })),
      ),
    ]);
    const byLead = new Map(rows.map((row) => [row.id, row]));
    return requests.map((request): ClaimResult => {
      if (firstOf.get(request.leadId) !== request)
        return { kind: 'leased', until: new Date(Date.now() + 200) };
      const row = byLead.get(request.leadId);
      return row ? this.claimResult(request, row) : { kind: 'missing' };
    });
  }

  private claimResult(request: ClaimRequest, row: ClaimRow): ClaimResult {
    switch (row.verdict) {
      case 'claimed': {
        const leaseUntil = new Date(row.lease_until as Date | string);
        const remainingMs = leaseUntil.getTime() - new Date(row.db_now).getTime();
        return {
          kind: 'claimed',
          token: request.token,
          site: this.sites.open(row.site as SealedSiteRow),
          attemptCount: row.zapier_attempt_count,
          leaseUntil,
          leaseDeadline: request.sentAt + remainingMs,
        };
      }
      case 'already-sent':
        return { kind: 'already-sent' };
      case 'not-pending':
        return { kind: 'not-pending', status: row.zapier_status };
      case 'stale':
        return { kind: 'stale', attemptCount: row.zapier_attempt_count };
      case 'leased':
        return { kind: 'leased', until: new Date(row.locked_until as Date | string) };
      case 'not-configured':
        return { kind: 'not-configured' };
    }
  }

  private async recordBatch(requests: OutcomeRequest[]): Promise<boolean[]> {
    const rows: Array<{ lead_id: string; token: string }> = await this.dataSource.query(RECORD_BATCH, [
      JSON.stringify(
        requests.map(({ leadId, token, record, status, nextAttemptAt, cycleStep, handOn }) => ({
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
          next_attempt_at: nextAttemptAt?.toISOString() ?? null,
          cycle_step: cycleStep,
          hand_on_topic: handOn?.topic ?? null,
          hand_on_payload: handOn?.payload ?? null,
          hand_on_headers: handOn?.headers ?? null,
        })),
      ),
    ]);
    const recorded = new Set(rows.map((row) => `${row.lead_id}/${row.token}`));
    return requests.map((request) => recorded.has(`${request.leadId}/${request.token}`));
  }
}

interface ClaimRequest {
  leadId: string;
  attempt: number;
  leaseMs: number;
  token: string;
  /** performance.now() when the claim was submitted. */
  sentAt: number;
}

interface ClaimRow {
  id: string;
  verdict: Verdict;
  zapier_status: ZapierStatus | null;
  zapier_attempt_count: number;
  locked_until: Date | string | null;
  lease_until: Date | string | null;
  db_now: Date | string;
  site: unknown;
}

interface OutcomeRequest {
  leadId: string;
  token: string;
  record: AttemptRecord;
  status: ZapierStatus;
  nextAttemptAt: Date | null;
  cycleStep: number;
  handOn: HandOn | null;
}
