/** What one `take` found: whether it was allowed, and when the bucket has a token again and is full again. */
export interface TakeResult {
  allowed: boolean;
  /** Tokens left after this take (a fraction while refilling). */
  tokens: number;
  /** 0 when a token is free now, else how long until one is. */
  msUntilToken: number;
  /** How long until the bucket is full again (nothing it remembers matters any more). */
  msUntilFull: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  capacity: number;
  perMs: number;
}

/**
 * Token buckets for request limits keyed by anything a client chooses (an IP address, a hostname in a URL): a
 * bucket holds `capacity` tokens and refills at `capacity` per `periodMs`, so a key gets a burst of `capacity`
 * and then `capacity` per period, steadily. Each key costs one small record, however many requests it makes.
 *
 * Memory is bounded by `maxKeys`, whatever the keys: a flood of distinct IPs or invented hostnames cannot grow it.
 * Records live in least-recently-used order; each take drops the oldest records whose buckets have refilled (they
 * remember nothing), so the map holds only the keys active within a period; and when `maxKeys` keys are all
 * active, the least recently used is dropped to make room (that key starts again with a full bucket, the price of
 * the bound; size `maxKeys` above the number of keys active in a period).
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new Error('maxKeys must be a positive integer');
  }

  /** Keys held now. */
  get size(): number {
    return this.buckets.size;
  }

  /** Uses a token of `key`'s bucket (`capacity` per `periodMs`) when one is free. */
  take(key: string, capacity: number, periodMs: number): TakeResult {
    const now = this.now();
    const perMs = capacity / periodMs;
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      // A changed limit applies from now on.
      bucket.capacity = capacity;
      bucket.perMs = perMs;
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perMs);
      bucket.updatedAt = now;
    } else {
      bucket = { tokens: capacity, updatedAt: now, capacity, perMs };
    }
    this.dropRefilled(now);
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    this.buckets.set(key, bucket);

    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      tokens: bucket.tokens,
      msUntilToken: allowed || perMs <= 0 ? 0 : Math.ceil((1 - bucket.tokens) / perMs),
      msUntilFull: perMs <= 0 ? 0 : Math.ceil((bucket.capacity - bucket.tokens) / perMs),
    };
  }

  /** Drops the least recently used records whose buckets are full again (a couple per call: O(1)). */
  private dropRefilled(now: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = this.buckets.entries().next().value;
      if (!oldest) return;
      const [key, bucket] = oldest;
      if (bucket.tokens + (now - bucket.updatedAt) * bucket.perMs < bucket.capacity) return;
      this.buckets.delete(key);
    }
  }
}
