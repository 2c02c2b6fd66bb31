import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InboundRequestRepository, type NewInboundRequest } from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { InboundMetrics } from '../metrics/inbound-metrics.js';

/** A source flooding past its rate limit gets one log line per this period, not one per request. */
const RATE_LIMITED_LINE_EVERY_MS = 1_000;

/**
 * The inbound request log's writer. Lines are written after the request is answered and never delay
 * it (group-committed by the repository); the lead itself was committed before. What can be lost, and is counted
 * in `leadhooks_inbound_log_lines_dropped_total`: lines not yet written when the process dies, lines beyond
 * INBOUND_LOG_MAX_PENDING while the database is slow, a rate-limited source's lines beyond one a second, and a line
 * whose write failed. Expired lines (INBOUND_LOG_RETENTION_DAYS) are deleted by the retention sweep.
 */
@Injectable()
export class InboundLog implements OnModuleDestroy {
  private readonly log = new Logger(InboundLog.name);
  private pending = 0;
  private readonly lastRateLimitedLine = new Map<string, number>();

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(InboundRequestRepository) private readonly requests: InboundRequestRepository,
    @Inject(InboundMetrics) private readonly metrics: InboundMetrics,
  ) {}

  /** Queues a line for writing; returns at once. */
  record(line: NewInboundRequest): void {
    if (line.status === 429 && !this.rateLimitedLineDue(line.sourceId, line.receivedAt.getTime())) {
      this.metrics.logLinesDropped.inc({ reason: 'rate_limited' });
      return;
    }
    if (this.pending >= this.config.inbound.log.maxPending) {
      this.metrics.logLinesDropped.inc({ reason: 'overload' });
      return;
    }
    this.pending++;
    this.requests
      .record(line)
      .catch((error: unknown) => {
        this.metrics.logLinesDropped.inc({ reason: 'write_failed' });
        this.log.warn(
          `Could not store request-log line ${line.id} of source ${line.sourceId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => this.pending--);
  }

  /** Resolves once every line queued so far is written (or dropped); tests and shutdown. */
  async flushed(timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async onModuleDestroy(): Promise<void> {
    await this.flushed(2_000);
  }

  private rateLimitedLineDue(sourceId: string, now: number): boolean {
    const last = this.lastRateLimitedLine.get(sourceId);
    if (last !== undefined && now - last < RATE_LIMITED_LINE_EVERY_MS) return false;
    if (this.lastRateLimitedLine.size > 10_000) this.lastRateLimitedLine.clear();
    this.lastRateLimitedLine.set(sourceId, now);
    return true;
  }
}
