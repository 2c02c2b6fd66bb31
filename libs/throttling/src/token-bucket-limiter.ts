interface Bucket {
  tokens: number;
  updatedAt: number;
  ratePerSecond: number;
  burst: number;
}

/**
 * Token buckets keyed by anything (an endpoint, a client IP): `take` returns 0 when an action may happen now, else
 * how many ms until a token is free; `wait` tells the same without using a token. Each key may have its own rate
 * (an endpoint's own limit), else the limiter's default. In memory, per process: with N instances the ceiling is
 * N × rate. Idle buckets are dropped so a flood of distinct keys cannot grow memory without bound.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number = Math.max(1, ratePerSecond),
    private readonly now: () => number = Date.now,
  ) {}

  /** Uses a token for `key` when one is free (0), else returns how many ms until one is. */
  take(key: string, ratePerSecond?: number | null): number {
    const bucket = this.refill(key, ratePerSecond);
    if (!bucket) return 0;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / bucket.ratePerSecond) * 1000);
  }

  /** How many ms until `key` has a token (0: now), without using one. */
  wait(key: string, ratePerSecond?: number | null): number {
    const bucket = this.refill(key, ratePerSecond);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.ceil(((1 - bucket.tokens) / bucket.ratePerSecond) * 1000);
  }

  private refill(key: string, ratePerSecond?: number | null): Bucket | undefined {
    const rate = ratePerSecond ?? this.ratePerSecond;
    if (rate <= 0) return undefined;
    const now = this.now();
    if (this.buckets.size > 100_000) this.evictIdle(now);
    const burst = ratePerSecond ? Math.max(1, ratePerSecond) : this.burst;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now, ratePerSecond: rate, burst };
    // A changed limit applies from now on.
    bucket.ratePerSecond = rate;
    bucket.burst = burst;
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private evictIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const fullAfterMs = (bucket.burst / bucket.ratePerSecond) * 1000;
      if (now - bucket.updatedAt > fullAfterMs) this.buckets.delete(key);
    }
  }
}
