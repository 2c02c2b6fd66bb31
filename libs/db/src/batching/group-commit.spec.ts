import { GroupCommit } from './group-commit.js';

/** A `run` the test drives by hand: each call waits until the test settles it. */
function controlledRun() {
  const calls: Array<{ items: number[]; settle: (results?: string[], error?: Error) => void }> = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        settle: (results, error) => (error ? reject(error) : resolve(results ?? items.map((i) => `ok-${i}`))),
      });
    });
  return { run, calls };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe(GroupCommit.name, () => {
  it('writes a lone item at once, and batches what arrives while statements are in flight', async () => {
    const { run, calls } = controlledRun();
    const sut = new GroupCommit(run, { concurrency: 1, maxBatch: 10 });
    const first = sut.submit(1);
    await flush();
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const queued = [sut.submit(2), sut.submit(3), sut.submit(4)];
    await flush();
    expect(calls).toHaveLength(1);
    calls[0].settle();
    expect(await first).toBe('ok-1');
    await flush();
    expect(calls[1].items).toEqual([2, 3, 4]);
    calls[1].settle();
    expect(await Promise.all(queued)).toEqual(['ok-2', 'ok-3', 'ok-4']);
  });

  it('keeps at most `concurrency` statements in flight and `maxBatch` items per statement', async () => {
    const { run, calls } = controlledRun();
    const sut = new GroupCommit(run, { concurrency: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((i) => sut.submit(i));
    await flush();
    // Submitted in one turn: they go together, two statements of two; the rest wait for a free statement.
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    calls[0].settle();
    await flush();
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const late = sut.submit(7);
    await flush();
    expect(calls).toHaveLength(3);
    calls[1].settle();
    await flush();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    calls[2].settle();
    calls[3].settle();
    expect(await Promise.all([...all, late])).toHaveLength(7);
  });

  it('writes what is submitted in one turn of the event loop as one statement', async () => {
    const { run, calls } = controlledRun();
    const sut = new GroupCommit(run, { concurrency: 4, maxBatch: 100 });
    const all = [1, 2, 3, 4, 5].map((i) => sut.submit(i));
    expect(calls).toHaveLength(0);
    await flush();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3, 4, 5]]);
    calls[0].settle();
    expect(await Promise.all(all)).toEqual(['ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5']);
  });

  it('retries a failed batch one by one, so one bad item fails alone', async () => {
    const sut = new GroupCommit(
      async (items: number[]) => {
        if (items.includes(13)) throw new Error(`bad batch ${items.join(',')}`);
        return items.map((i) => `ok-${i}`);
      },
      { concurrency: 1, maxBatch: 10 },
    );
    const blocker = sut.submit(0);
    const results = await Promise.allSettled([blocker, sut.submit(12), sut.submit(13), sut.submit(14)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'ok-0',
      'ok-12',
      'bad batch 13',
      'ok-14',
    ]);
  });
});
