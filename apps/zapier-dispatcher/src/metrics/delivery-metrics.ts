import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DeliveryOutcome = 'sent' | 'retry' | 'dead_letter' | 'forbidden_target';

/** Delivery metrics (SPEC §6): outcomes by tier, latency, DLT total, lead age at delivery. */
export class DeliveryMetrics {
  readonly deliveries: Counter<'outcome' | 'tier'>;
  readonly attemptDuration: Histogram<'tier'>;
  readonly deadLettered: Counter<'reason'>;
  readonly leadAgeAtDelivery: Histogram;
  readonly skipped: Counter<'reason'>;
  readonly inFlight: Gauge;
  readonly leasesGivenUp: Counter;
  readonly strandedRequeued: Counter;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'leadhooks_deliveries_total',
      help: 'Delivery attempts by outcome and tier',
      labelNames: ['outcome', 'tier'],
      registers: [registry],
    });
    this.attemptDuration = new Histogram({
      name: 'leadhooks_delivery_duration_seconds',
      help: 'HTTP duration of delivery attempts',
      labelNames: ['tier'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'leadhooks_dlt_total',
      help: 'Messages published to the dead-letter topic',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.leadAgeAtDelivery = new Histogram({
      name: 'leadhooks_lead_age_at_delivery_seconds',
      help: 'Time from lead submission to the 2xx that delivered it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300, 900, 1800, 3600],
      registers: [registry],
    });
    this.skipped = new Counter({
      name: 'leadhooks_delivery_skipped_total',
      help: 'Messages acknowledged without a request (already SENT, stale, not configured, missing lead)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.inFlight = new Gauge({
      name: 'leadhooks_deliveries_in_flight',
      help: 'HTTP deliveries in progress',
      registers: [registry],
    });
    this.leasesGivenUp = new Counter({
      name: 'leadhooks_lease_given_up_total',
      help: 'Claims given up before sending because the worker stalled and its lease no longer covered a request',
      registers: [registry],
    });
    this.strandedRequeued = new Counter({
      name: 'leadhooks_stranded_leads_requeued_total',
      help: 'PENDING leads the sweep found with nothing to attempt them and put back on the delivery path (should stay 0)',
      registers: [registry],
    });
  }
}
