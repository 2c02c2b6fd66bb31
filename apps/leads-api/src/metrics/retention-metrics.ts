import { Counter, Gauge, type Registry } from 'prom-client';

/** What retention erased (docs/privacy.md): the sweep's work per run, site deletions' erasures. */
export class RetentionMetrics {
  /** `reason`: `retention` (the sweep) or `site_deleted`. */
  readonly leadsErased: Counter<'reason'>;
  readonly attemptTextsCleared: Counter;
  readonly lastErrorsTrimmed: Counter;
  readonly inboundLogsDeleted: Counter;
  /** `outcome`: `complete`, `partial` (stopped at RETENTION_MAX_BATCHES), `locked` (another replica), `failed`. */
  readonly sweeps: Counter<'outcome'>;
  readonly lastSweep: Gauge;
  /** RETENTION_SWEEP_INTERVAL in seconds, 0 when the sweep is off: the alert on a stale sweep needs both. */
  readonly sweepInterval: Gauge;

  /** @param sweepIntervalMs RETENTION_SWEEP_INTERVAL (0: off) */
  constructor(registry: Registry, sweepIntervalMs: number) {
    this.leadsErased = new Counter({
      name: 'leadhooks_retention_leads_erased_total',
      help: 'Leads erased by retention, by reason (retention: the sweep; site_deleted: a site deletion)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.attemptTextsCleared = new Counter({
      name: 'leadhooks_retention_attempt_texts_cleared_total',
      help: 'Delivery attempts whose error text and response snippet the sweep cleared (ATTEMPT_TEXT_RETENTION_DAYS)',
      registers: [registry],
    });
    this.lastErrorsTrimmed = new Counter({
      name: 'leadhooks_retention_last_errors_trimmed_total',
      help: 'Delivery and lead last errors cut back to the status by the sweep (ATTEMPT_TEXT_RETENTION_DAYS)',
      registers: [registry],
    });
    this.inboundLogsDeleted = new Counter({
      name: 'leadhooks_retention_inbound_logs_deleted_total',
      help: 'Inbound request-log lines the sweep deleted (INBOUND_LOG_RETENTION_DAYS)',
      registers: [registry],
    });
    this.sweeps = new Counter({
      name: 'leadhooks_retention_sweeps_total',
      help: 'Retention sweeps by outcome (complete, partial, locked: another replica sweeps, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    // Each outcome exported from the start: `increase()` counts the first failure only from a series already at 0.
    for (const outcome of ['complete', 'partial', 'locked', 'failed']) this.sweeps.inc({ outcome }, 0);
    this.lastSweep = new Gauge({
      name: 'leadhooks_retention_last_sweep_timestamp_seconds',
      help: 'When this process last finished a retention sweep (complete or partial)',
      registers: [registry],
    });
    this.sweepInterval = new Gauge({
      name: 'leadhooks_retention_sweep_interval_seconds',
      help: 'How often each process tries a retention sweep (RETENTION_SWEEP_INTERVAL; 0: the sweep is off)',
      registers: [registry],
    });
    this.sweepInterval.set(Math.max(0, sweepIntervalMs) / 1000);
  }
}
