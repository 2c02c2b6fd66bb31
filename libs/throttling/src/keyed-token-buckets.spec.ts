import { KeyedTokenBuckets } from './keyed-token-buckets.js';

describe(KeyedTokenBuckets.name, () => {
  it('lets a burst of `capacity` through, then refuses until a token has refilled, per key', () => {
    let now = 0;
    const sut = new KeyedTokenBuckets(100, () => now);
    const taken = Array.from({ length: 7 }, () => sut.take('ip-a', 6, 60_000));
    expect(taken.map((t) => t.allowed)).toEqual([true, true, true, true, true, true, false]);
    // 6 per minute: the next token in 10 s; the bucket is full again a minute after the last take.
    expect(taken[6].msUntilToken).toBe(10_000);
    expect(taken[6].msUntilFull).toBe(60_000);
    expect(sut.take('ip-b', 6, 60_000).allowed).toBe(true);
    now = 10_000;
    expect(sut.take('ip-a', 6, 60_000).allowed).toBe(true);
    expect(sut.take('ip-a', 6, 60_000).allowed).toBe(false);
  });

  it('never holds more than maxKeys keys, however many distinct keys arrive (the least recently used goes)', () => {
    let now = 0;
    const sut = new KeyedTokenBuckets(1_000, () => now);
    let largest = 0;
    for (let i = 0; i < 50_000; i++) {
      // All at one moment: no bucket has refilled, so only the bound keeps the map small.
      sut.take(`203.0.${i >> 8}.${i & 255}`, 60, 60_000);
      largest = Math.max(largest, sut.size);
    }
    expect(largest).toBe(1_000);
    expect(sut.size).toBe(1_000);
    // A client active throughout keeps its (spent) budget while the flood passes, as long as it stays recent.
    const abuser = 'abuser';
    for (let i = 0; i < 3; i++) sut.take(abuser, 3, 60_000);
    for (let i = 0; i < 500; i++) sut.take(`flood-${i}`, 60, 60_000);
    expect(sut.take(abuser, 3, 60_000).allowed).toBe(false);
    now += 1;
    expect(sut.size).toBe(1_000);
  });

  it('forgets keys whose buckets have refilled (they remember nothing), without waiting for the bound', () => {
    let now = 0;
    const sut = new KeyedTokenBuckets(1_000_000, () => now);
    for (let i = 0; i < 10_000; i++) sut.take(`site-${i}.test`, 200, 1_000);
    expect(sut.size).toBe(10_000);
    // Over the next seconds only a few keys post; each take drops up to two refilled records.
    now = 2_000;
    for (let i = 0; i < 6_000; i++) sut.take(`live-${i % 10}`, 200, 1_000);
    expect(sut.size).toBeLessThanOrEqual(10);
  });

  it('applies a changed limit from the next take on', () => {
    let now = 0;
    const sut = new KeyedTokenBuckets(10, () => now);
    expect(sut.take('a', 1, 1_000).allowed).toBe(true);
    expect(sut.take('a', 1, 1_000).allowed).toBe(false);
    now = 500;
    // Raised to 10/s: half a second refilled 5 tokens (capped at the new capacity).
    const raised = Array.from({ length: 6 }, () => sut.take('a', 10, 1_000).allowed);
    expect(raised).toEqual([true, true, true, true, true, false]);
  });
});
