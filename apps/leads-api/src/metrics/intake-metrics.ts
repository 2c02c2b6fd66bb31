import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OutboxRepository } from '@leadhooks/db';

/** leads-api metrics (issue: requests by route/status, leads accepted/rejected, outbox backlog and age). */
export class IntakeMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'route'>;
  readonly leadsAccepted: Counter<'status'>;
  readonly leadsRejected: Counter<'reason'>;

  constructor(registry: Registry, outbox: OutboxRepository) {
    this.requests = new Counter({
      name: 'leadhooks_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: 'leadhooks_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.leadsAccepted = new Counter({
      name: 'leadhooks_leads_accepted_total',
      help: 'Leads stored, by initial delivery status',
      labelNames: ['status'],
      registers: [registry],
    });
    this.leadsRejected = new Counter({
      name: 'leadhooks_leads_rejected_total',
      help: 'Submissions not stored, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    let lastBacklog = { count: 0, oldestAgeMs: 0 };
    const backlog = async () => {
      lastBacklog = await outbox.backlog().catch(() => lastBacklog);
      return lastBacklog;
    };
    new Gauge({
      name: 'leadhooks_outbox_backlog',
      help: 'Outbox rows not yet published to Kafka',
      registers: [registry],
      async collect() {
        this.set((await backlog()).count);
      },
    });
    new Gauge({
      name: 'leadhooks_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox row',
      registers: [registry],
      collect() {
        this.set(lastBacklog.oldestAgeMs / 1000);
      },
    });
    let lastSetAside = 0;
    new Gauge({
      name: 'leadhooks_outbox_set_aside_rows',
      help: 'Outbox rows the relay set aside because Kafka refuses them even alone (too large); each needs a look',
      registers: [registry],
      async collect() {
        lastSetAside = await outbox.setAsideCount().catch(() => lastSetAside);
        this.set(lastSetAside);
      },
    });
  }
}
