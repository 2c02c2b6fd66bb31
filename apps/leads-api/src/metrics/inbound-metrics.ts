import { Counter, Histogram, type Registry } from 'prom-client';

/** Inbound sources (SPEC §14): requests by outcome, mapping time, request-log lines dropped under overload. */
export class InboundMetrics {
  readonly requests: Counter<'status'>;
  readonly mappingDuration: Histogram;
  readonly logLinesDropped: Counter<'reason'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'leadhooks_inbound_requests_total',
      help: 'Requests to inbound sources, by answer status',
      labelNames: ['status'],
      registers: [registry],
    });
    this.mappingDuration = new Histogram({
      name: 'leadhooks_inbound_mapping_duration_seconds',
      help: 'Time to evaluate a source mapping, queueing included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.logLinesDropped = new Counter({
      name: 'leadhooks_inbound_log_lines_dropped_total',
      help: 'Inbound request-log lines not stored (overload, a rate-limited flood, a write failure); leads are never dropped',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
