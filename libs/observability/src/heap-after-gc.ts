import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Gauge, type Registry } from 'prom-client';

/** What the process-wide observer saw; one observer however many registries (tests build many apps). */
const afterMajorGc = { heapUsedBytes: 0, collections: 0 };
let observer: PerformanceObserver | undefined;

function observeMajorCollections(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    const majors = list
      .getEntries()
      .filter(
        (entry) =>
          (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      ).length;
    if (!majors) return;
    afterMajorGc.collections += majors;
    afterMajorGc.heapUsedBytes = v8.getHeapStatistics().used_heap_size;
  });
  observer.observe({ entryTypes: ['gc'] });
}

/**
 * `nodejs_heap_used_after_major_gc_bytes`: the V8 heap in use right after the last full (mark-compact)
 * collection, i.e. the live data plus what was allocated in the moment before the observer ran; and
 * `nodejs_major_gcs`, how many full collections there were.
 *
 * Why a gauge of its own: `nodejs_heap_size_used_bytes` is read whenever Prometheus scrapes, anywhere between two
 * collections, so under load it swings by tens of MB with the young generation and garbage not yet collected; only
 * its value after a full collection tells whether something is kept. Its trend over hours is what a leak looks
 * like (the soak fits a line to it; an alert can too). It is 0 until the first full collection.
 */
export function registerHeapAfterGcGauges(registry: Registry): void {
  observeMajorCollections();
  new Gauge({
    name: 'nodejs_heap_used_after_major_gc_bytes',
    help: 'V8 heap used right after the last full (mark-compact) garbage collection',
    registers: [registry],
    collect() {
      this.set(afterMajorGc.heapUsedBytes);
    },
  });
  new Gauge({
    name: 'nodejs_major_gcs',
    help: 'Full (mark-compact) garbage collections since the process started',
    registers: [registry],
    collect() {
      this.set(afterMajorGc.collections);
    },
  });
}
