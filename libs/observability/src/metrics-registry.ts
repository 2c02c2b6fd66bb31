import { collectDefaultMetrics, Registry } from 'prom-client';

/** A Prometheus registry with the process metrics (memory, event-loop lag, GC) and an `app` label. */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}
