/**
 * Token buckets keyed by anything (a site, a client IP): `take` returns 0 when an action may happen now, else
 * how many ms until a token is free. In memory, per process: with N instances the ceiling is N × rate.
 * Idle buckets are dropped so a flood of distinct keys cannot grow memory without bound.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number = Math.max(1, ratePerSecond),
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): number {
    if (this.ratePerSecond <= 0) return 0;
    const now = this.now();
    if (this.buckets.size > 100_000) this.evictIdle(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond,
    );
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.ratePerSecond) * 1000);
  }

  private evictIdle(now: number): void {
    const fullAfterMs = (this.burst / this.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets)
      if (now - bucket.updatedAt > fullAfterMs) this.buckets.delete(key);
  }
}
