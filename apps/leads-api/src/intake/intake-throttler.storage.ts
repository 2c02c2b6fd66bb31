import type { ThrottlerStorage } from '@nestjs/throttler';
import { KeyedTokenBuckets } from '@leadhooks/throttling';

/**
 * Where @nestjs/throttler keeps intake's per-IP and per-site budgets: a token bucket per key (`limit` per `ttl`:
 * a burst of `limit`, then `limit` per `ttl` steadily), at most `maxKeys` keys in all (RATE_LIMIT_MAX_KEYS).
 *
 * Why not the library's own storage: it keeps one timestamp per request per key for the whole window (up to
 * `limit` numbers for each client IP and each hostname), filters them on every request, and forgets a key only
 * in a sweep a minute later, with no bound on the number of keys: the hostname in the URL and, behind TRUST_PROXY,
 * the forwarded IP are chosen by whoever posts, so a flood of invented ones grew its maps without limit. Here each
 * key is one record, idle ones go as soon as their bucket is full again, and the count never passes the bound.
 */
export class IntakeThrottlerStorage implements ThrottlerStorage {
  readonly buckets: KeyedTokenBuckets;

  constructor(maxKeys: number, now?: () => number) {
    this.buckets = new KeyedTokenBuckets(maxKeys, now);
  }

  increment(key: string, ttl: number, limit: number): ReturnType<ThrottlerStorage['increment']> {
    const result = this.buckets.take(key, limit, ttl);
    return Promise.resolve({
      totalHits: result.allowed ? limit - Math.floor(result.tokens) : limit + 1,
      timeToExpire: Math.ceil(result.msUntilFull / 1000),
      isBlocked: !result.allowed,
      timeToBlockExpire: Math.ceil(result.msUntilToken / 1000),
    });
  }
}
