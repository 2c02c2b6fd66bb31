import type { InboundRequestRepository } from '../repositories/inbound-request.repository.js';
import type { ErasureWait, LeadErasureRepository } from '../repositories/lead-erasure.repository.js';
import type { RetentionRepository } from '../repositories/retention.repository.js';
import { ERASURE_WAIT } from './erase-leads.js';

/** What the sweep keeps and how much it does per statement and per run (docs/privacy.md, docs/configuration.md). */
export interface RetentionSettings {
  /** LEAD_RETENTION_DAYS: leads of a site without its own `retention_days` are erased after this; 0 keeps them. */
  leadDays: number;
  /** ATTEMPT_TEXT_RETENTION_DAYS, in ms: attempts' error texts and snippets are cleared after this; 0 keeps them. */
  attemptTextMs: number;
  /** INBOUND_LOG_RETENTION_DAYS, in ms: inbound request-log lines are deleted after this; 0 keeps them. */
  inboundLogMs: number;
  /** Rows per statement (leads per batch, each erased in its own transaction). */
  batchSize: number;
  /** Batches of each kind per run at most; the next run carries on (a backlog never makes one endless run). */
  maxBatches: number;
}

export interface RetentionReport {
  /** Leads this run erased (through the one erasure path, actor `retention`). */
  leadsErased: number;
  /** Leads whose erasure failed (logged by the caller; tried again next run). */
  leadsFailed: number;
  /** Size of each batch of leads read: each at most `batchSize`. */
  leadBatches: number[];
  attemptTextsCleared: number;
  /** Delivery and lead `last_error`s cut back to `HTTP 503` / `mapping`. */
  lastErrorsTrimmed: number;
  inboundLogsDeleted: number;
  /** False when a kind stopped at `maxBatches` with work left. */
  complete: boolean;
}

const RETENTION_ACTOR = { by: 'retention', reason: 'retention' } as const;
const DAY_MS = 86_400_000;

/**
 * The retention sweep (issue 24): erases leads older than their site's retention exactly as DELETE erases them,
 * clears attempts' receiver texts and deletes inbound request-log lines after their own, shorter retention. Bounded
 * batches, each statement its own short transaction; one sweep at a time across replicas (an advisory lock), and a
 * lead erased twice is impossible anyway (the erasure locks its row and checks its mark).
 */
export class RetentionSweep {
  constructor(
    private readonly retention: RetentionRepository,
    private readonly erasures: LeadErasureRepository,
    private readonly inbound: InboundRequestRepository,
    private readonly settings: RetentionSettings,
    private readonly wait: ErasureWait = ERASURE_WAIT,
    private readonly onLeadFailed: (leadId: string, error: unknown) => void = () => undefined,
  ) {}

  /** One run; undefined when another replica is sweeping (it holds the lock). */
  run(now = Date.now()): Promise<RetentionReport | undefined> {
    return this.retention.withSweepLock(() => this.sweep(now));
  }

  private async sweep(now: number): Promise<RetentionReport> {
    const { batchSize, maxBatches } = this.settings;
    const report: RetentionReport = {
      leadsErased: 0,
      leadsFailed: 0,
      leadBatches: [],
      attemptTextsCleared: 0,
      lastErrorsTrimmed: 0,
      inboundLogsDeleted: 0,
      complete: true,
    };
    for (;;) {
      if (report.leadBatches.length >= maxBatches) {
        report.complete = false;
        break;
      }
      const ids = await this.retention.expiredLeadIds(this.settings.leadDays, batchSize);
      if (!ids.length) break;
      report.leadBatches.push(ids.length);
      let erasedHere = 0;
      for (const leadId of ids) {
        try {
          const result = await this.erasures.erase(leadId, RETENTION_ACTOR, { wait: this.wait });
          if (result.kind === 'erased') erasedHere++;
        } catch (error) {
          report.leadsFailed++;
          this.onLeadFailed(leadId, error);
        }
      }
      report.leadsErased += erasedHere;
      // A short batch was the last; a batch of failures only would read the same leads again.
      if (ids.length < batchSize || erasedHere === 0) break;
    }
    if (this.settings.attemptTextMs > 0) {
      const before = new Date(now - this.settings.attemptTextMs);
      report.attemptTextsCleared = await this.batched(report, () =>
        this.retention.clearAttemptTexts(before, batchSize),
      );
      report.lastErrorsTrimmed = await this.batched(report, () =>
        this.retention.trimLastErrors(before, batchSize),
      );
    }
    if (this.settings.inboundLogMs > 0) {
      const before = new Date(now - this.settings.inboundLogMs);
      report.inboundLogsDeleted = await this.batched(report, () => this.inbound.prune(before, batchSize));
    }
    return report;
  }

  /** Repeats a bounded statement until it does less than a batch, or `maxBatches` times. */
  private async batched(report: RetentionReport, step: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let batch = 0; ; batch++) {
      if (batch >= this.settings.maxBatches) {
        report.complete = false;
        return total;
      }
      const done = await step();
      total += done;
      if (done < this.settings.batchSize) return total;
    }
  }
}

/** Days as milliseconds (0 stays 0: keep forever). */
export function daysToMs(days: number): number {
  return days * DAY_MS;
}
