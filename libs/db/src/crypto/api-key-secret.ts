import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer API keys as stored: `lh_<scope><prefix>_<secret>`, where the 10-character prefix finds the row and only a
 * SHA-256 of the whole key is kept (admin keys have no scope, site keys `site_`).
 */
export function mintApiKey(scope: '' | 'site_'): { key: string; prefix: string; hash: Buffer } {
  const prefix = randomBytes(8).toString('hex').slice(0, 10);
  const key = `lh_${scope}${prefix}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix, hash: apiKeyHash(key) };
}

export function apiKeyHash(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Whether `key` is the one whose hash was stored (constant-time). */
export function apiKeyMatches(storedHash: Buffer, key: string): boolean {
  return timingSafeEqual(Buffer.from(storedHash), apiKeyHash(key));
}
