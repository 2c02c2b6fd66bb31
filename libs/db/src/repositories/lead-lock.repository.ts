import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SiteEntity, ZapierStatus } from '../entities/index.js';
import { Site, SiteRepository } from './site.repository.js';

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
export function decideClaim(row: LeadLockRow, attempt: number, now: Date): Exclude<ClaimResult, { kind: 'claimed' | 'missing' }> | 'claim' {
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
 * Shape (SPEC §6): a short transaction takes the row with SELECT … FOR UPDATE, checks it and writes a lease
 * (a fresh lock_token and locked_until) before committing; the HTTP call runs with no transaction and no
 * pinned connection; the outcome is written by one statement guarded by that token. Why this is safe under
 * crashes: the row lock serialises concurrent claimers, so only one sees the lease free; a process that dies
 * mid-delivery leaves a lease that simply expires (its message is consumed again and waits for that expiry),
 * so the lead is retried, never stuck; and a slow process whose lease was taken over cannot overwrite the new
 * holder's outcome because its token no longer matches. The lease is longer than the HTTP timeout, so a live
 * holder always finishes (and records) before anyone else may claim.
 */
export class LeadLockRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sites: SiteRepository,
  ) {}

  async claim(leadId: string, attempt: number, leaseMs: number): Promise<ClaimResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<Record<string, unknown>> = await manager.query(
        `SELECT l.zapier_status, l.zapier_attempt_count, l.locked_until, now() AS db_now,
                s.id AS s_id, s.hostname AS s_hostname, s.name AS s_name, s.zapier_enabled AS s_enabled,
                s.zapier_webhook_url AS s_url, s.zapier_secret AS s_secret,
                s.zapier_previous_secret AS s_prev, s.zapier_previous_secret_expires_at AS s_prev_exp,
                s.created_at AS s_created, s.updated_at AS s_updated
           FROM lead l JOIN site s ON s.id = l.site_id
          WHERE l.id = $1
            FOR UPDATE OF l`,
        [leadId],
      );
      const row = rows[0];
      if (!row) return { kind: 'missing' } as const;
      const decision = decideClaim(
        {
          zapierStatus: row.zapier_status as ZapierStatus | null,
          attemptCount: row.zapier_attempt_count as number,
          lockedUntil: row.locked_until as Date | null,
          siteEnabled: row.s_enabled as boolean,
          siteHasUrl: row.s_url !== null,
        },
        attempt,
        row.db_now as Date,
      );
      if (decision !== 'claim') {
        if (decision.kind === 'not-configured') {
          await manager.query(`UPDATE lead SET zapier_status = 'NOT_CONFIGURED' WHERE id = $1`, [leadId]);
        }
        return decision;
      }
      const token = randomUUID();
      const [lease]: Array<{ locked_until: Date }> = await manager.query(
        `WITH leased AS (
           UPDATE lead SET lock_token = $2, locked_until = now() + make_interval(secs => $3::double precision / 1000)
            WHERE id = $1 RETURNING locked_until)
         SELECT locked_until FROM leased`,
        [leadId, token, leaseMs],
      );
      const site = this.sites.open(
        Object.assign(new SiteEntity(), {
          id: row.s_id,
          hostname: row.s_hostname,
          name: row.s_name,
          zapierEnabled: row.s_enabled,
          zapierWebhookUrlSealed: row.s_url,
          zapierSecretSealed: row.s_secret,
          zapierPreviousSecretSealed: row.s_prev,
          zapierPreviousSecretExpiresAt: row.s_prev_exp,
          createdAt: row.s_created,
          updatedAt: row.s_updated,
        }),
      );
      return { kind: 'claimed', token, site, attemptCount: row.zapier_attempt_count as number, leaseUntil: lease.locked_until } as const;
    });
  }

  /** Records a 2xx: SENT, attempt row, lease released. False when the lease was lost (outcome discarded). */
  recordSuccess(leadId: string, token: string, record: AttemptRecord): Promise<boolean> {
    return this.recordOutcome(leadId, token, record, 'SENT');
  }

  /** Records a failed attempt; `final` marks the lead FAILED (it went to the DLT). */
  recordFailure(leadId: string, token: string, record: AttemptRecord, final: boolean): Promise<boolean> {
    return this.recordOutcome(leadId, token, record, final ? 'FAILED' : 'PENDING');
  }

  private async recordOutcome(leadId: string, token: string, record: AttemptRecord, status: ZapierStatus): Promise<boolean> {
    const lastError = truncate(record.error, LAST_ERROR_MAX);
    const rows: unknown[] = await this.dataSource.query(
      `WITH updated AS (
         UPDATE lead
            SET zapier_status = $3,
                zapier_attempt_count = $4,
                zapier_last_attempt_at = $5,
                zapier_last_error = $6,
                zapier_sent_at = CASE WHEN $3 = 'SENT' THEN now() ELSE zapier_sent_at END,
                lock_token = NULL,
                locked_until = NULL
          WHERE id = $1 AND lock_token = $2
          RETURNING id)
       INSERT INTO delivery_attempt (lead_id, attempt, tier, started_at, duration_ms, http_status, error_class, error, response_snippet)
       SELECT id, $4, $7, $5, $8, $9, $10, $6, $11 FROM updated
       RETURNING id`,
      [
        leadId,
        token,
        status,
        record.attempt,
        record.startedAt,
        status === 'SENT' ? null : lastError,
        record.tier,
        record.durationMs,
        record.httpStatus,
        record.errorClass,
        truncate(record.responseSnippet, 2000),
      ],
    );
    return rows.length === 1;
  }
}
