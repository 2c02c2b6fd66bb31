import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { EVENT_TYPES } from '@leadhooks/contracts';
import { FAILURE_REASONS } from '../delivery/failure-reason.js';

export type DeliveryOutcome = 'sent' | 'retry' | 'dead_letter' | 'forbidden_target' | 'endpoint_removed';

/**
 * Delivery metrics (SPEC §6, §11): outcomes by event and tier, retries by reason, latency, DLT total, event age at
 * delivery. Labels are bounded sets only (event type, outcome, tier, reason): never a site, an endpoint or a lead.
 */
export class DeliveryMetrics {
  readonly deliveries: Counter<'event' | 'outcome' | 'tier'>;
  readonly retries: Counter<'event' | 'reason'>;
  readonly attemptDuration: Histogram<'event' | 'tier'>;
  readonly deadLettered: Counter<'event' | 'reason'>;
  readonly leadAgeAtDelivery: Histogram;
  readonly skipped: Counter<'reason'>;
  readonly inFlight: Gauge;
  readonly leasesGivenUp: Counter;
  readonly strandedRequeued: Counter<'kind'>;
  readonly slotWaits: Counter<'limit'>;
  readonly outcomeFallbacks: Counter;

  constructor(registry: Registry) {
    this.slotWaits = new Counter({
      name: 'leadhooks_delivery_slot_waits_total',
      help: 'Deliveries that found every in-flight slot of their endpoint or site taken and waited (no attempt counted)',
      labelNames: ['limit'],
      registers: [registry],
    });
    this.outcomeFallbacks = new Counter({
      name: 'leadhooks_outcome_record_fallbacks_total',
      help: "Outcomes recorded without the receiver's text because the full outcome could not be stored (should stay 0)",
      registers: [registry],
    });
    this.deliveries = new Counter({
      name: 'leadhooks_deliveries_total',
      help: 'Delivery attempts by event type, outcome and tier',
      labelNames: ['event', 'outcome', 'tier'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'leadhooks_delivery_retries_total',
      help: 'Failed attempts handed on to a retry tier, by event type and reason (http_5xx, http_4xx, http_429, timeout, connection, forbidden_target)',
      labelNames: ['event', 'reason'],
      registers: [registry],
    });
    for (const event of EVENT_TYPES)
      for (const reason of FAILURE_REASONS) this.retries.inc({ event, reason }, 0);
    this.attemptDuration = new Histogram({
      name: 'leadhooks_delivery_duration_seconds',
      help: 'HTTP duration of delivery attempts',
      labelNames: ['event', 'tier'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'leadhooks_dlt_total',
      help: 'Messages published to a dead-letter topic, by event type and reason',
      labelNames: ['event', 'reason'],
      registers: [registry],
    });
    this.leadAgeAtDelivery = new Histogram({
      name: 'leadhooks_lead_age_at_delivery_seconds',
      help: 'Time from the event (lead submitted or changed) to the 2xx that delivered it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300, 900, 1800, 3600],
      registers: [registry],
    });
    this.skipped = new Counter({
      name: 'leadhooks_delivery_skipped_total',
      help: 'Deliveries acknowledged without a request (already SENT, stale, endpoint disabled/deleted/unsubscribed, no endpoint, missing)',
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
      help: 'Deliveries (kind=delivery) and events never fanned out (kind=event) the sweep found with nothing to attempt them and put back (should stay 0)',
      labelNames: ['kind'],
      registers: [registry],
    });
  }
}
