import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  daysToMs,
  InboundRequestRepository,
  LeadErasureRepository,
  type RetentionReport,
  RetentionRepository,
  RetentionSweep,
} from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { RetentionMetrics } from '../metrics/retention-metrics.js';

/**
 * Runs the retention sweep (libs/db RetentionSweep, docs/privacy.md) every RETENTION_SWEEP_INTERVAL, first one
 * interval after start. Every replica runs the timer; one sweeps at a time (the sweep's advisory lock).
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(RetentionSweeper.name);
  private readonly sweep: RetentionSweep;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionReport | undefined> | undefined;

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(RetentionRepository) retention: RetentionRepository,
    @Inject(LeadErasureRepository) erasures: LeadErasureRepository,
    @Inject(InboundRequestRepository) inbound: InboundRequestRepository,
    @Inject(RetentionMetrics) private readonly metrics: RetentionMetrics,
  ) {
    const settings = config.retention;
    this.sweep = new RetentionSweep(
      retention,
      erasures,
      inbound,
      {
        leadDays: settings.leadDays,
        attemptTextMs: daysToMs(settings.attemptTextDays),
        inboundLogMs: settings.inboundLogMs,
        batchSize: settings.batchSize,
        maxBatches: settings.maxBatches,
      },
      undefined,
      (leadId, error) =>
        this.log.error({
          message: `Retention could not erase lead ${leadId} (tried again next sweep): ${describe(error)}`,
          leadId,
        }),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.retention.intervalMs <= 0) return;
    this.timer = setInterval(
      () => void this.runOnce().catch(() => undefined),
      this.config.retention.intervalMs,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep now (a run already under way in this process is joined); undefined when another replica sweeps. */
  runOnce(): Promise<RetentionReport | undefined> {
    this.running ??= this.sweepAndReport().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepAndReport(): Promise<RetentionReport | undefined> {
    const started = Date.now();
    let report: RetentionReport | undefined;
    try {
      report = await this.sweep.run();
    } catch (error) {
      this.metrics.sweeps.inc({ outcome: 'failed' });
      this.log.error(
        `Retention sweep failed (next one in ${this.config.retention.intervalMs} ms): ${describe(error)}`,
      );
      throw error;
    }
    if (!report) {
      this.metrics.sweeps.inc({ outcome: 'locked' });
      this.log.debug('Retention sweep skipped: another replica is sweeping');
      return undefined;
    }
    this.metrics.leadsErased.inc({ reason: 'retention' }, report.leadsErased);
    this.metrics.attemptTextsCleared.inc(report.attemptTextsCleared);
    this.metrics.lastErrorsTrimmed.inc(report.lastErrorsTrimmed);
    this.metrics.inboundLogsDeleted.inc(report.inboundLogsDeleted);
    this.metrics.sweeps.inc({ outcome: report.complete ? 'complete' : 'partial' });
    this.metrics.lastSweep.setToCurrentTime();
    const did =
      report.leadsErased + report.attemptTextsCleared + report.lastErrorsTrimmed + report.inboundLogsDeleted;
    if (did || report.leadsFailed || !report.complete)
      this.log.log({
        message: `Retention sweep: ${report.leadsErased} lead(s) erased, ${report.attemptTextsCleared} attempt text(s) cleared, ${report.lastErrorsTrimmed} last error(s) trimmed, ${report.inboundLogsDeleted} inbound log line(s) deleted${report.leadsFailed ? `, ${report.leadsFailed} lead(s) failed` : ''}${report.complete ? '' : ' (batch limit reached; the next sweep carries on)'} in ${Date.now() - started} ms`,
        leadsErased: report.leadsErased,
        leadBatches: report.leadBatches.length,
        attemptTextsCleared: report.attemptTextsCleared,
        lastErrorsTrimmed: report.lastErrorsTrimmed,
        inboundLogsDeleted: report.inboundLogsDeleted,
        leadsFailed: report.leadsFailed,
      });
    return report;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
