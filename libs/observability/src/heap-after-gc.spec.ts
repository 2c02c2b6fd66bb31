import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Registry } from 'prom-client';
import { registerHeapAfterGcGauges } from './heap-after-gc.js';

/** A full (mark-compact) collection on demand, without starting the test runner with --expose-gc. */
function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function read(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getSingleMetric(name)?.get()) as { values: Array<{ value: number }> };
  return metric.values[0].value;
}

describe(registerHeapAfterGcGauges.name, () => {
  it('reports the heap a full collection left, and counts full collections', async () => {
    const sut = new Registry();
    registerHeapAfterGcGauges(sut);
    const collectionsBefore = await read(sut, 'nodejs_major_gcs');
    fullGc();
    // GC entries reach observers asynchronously.
    for (let i = 0; i < 50 && (await read(sut, 'nodejs_major_gcs')) === collectionsBefore; i++)
      await sleep(20);
    expect(await read(sut, 'nodejs_major_gcs')).toBeGreaterThan(collectionsBefore);
    const afterGc = await read(sut, 'nodejs_heap_used_after_major_gc_bytes');
    expect(afterGc).toBeGreaterThan(1024 * 1024);
    expect(afterGc).toBeLessThanOrEqual(v8.getHeapStatistics().total_heap_size);
  });

  it('keeps one observer however many registries are made (an app per test)', async () => {
    const registries = Array.from({ length: 3 }, () => new Registry());
    for (const registry of registries) registerHeapAfterGcGauges(registry);
    fullGc();
    await sleep(100);
    const counts = await Promise.all(registries.map((registry) => read(registry, 'nodejs_major_gcs')));
    expect(new Set(counts).size).toBe(1);
  });
});
