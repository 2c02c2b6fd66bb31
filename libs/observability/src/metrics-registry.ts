import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerHeapAfterGcGauges } from './heap-after-gc.js';

/**
 * A Prometheus registry with the process metrics (memory, event-loop lag, GC, the heap after the last full
 * collection) and an `app` label.
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  registerHeapAfterGcGauges(registry);
  return registry;
}
