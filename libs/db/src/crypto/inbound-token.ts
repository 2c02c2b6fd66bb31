import { createHash, randomBytes } from 'node:crypto';

/** What a source token looks like: `lhin_` and 32 random bytes, base64url (256 bits: not guessable, not enumerable). */
export const INBOUND_TOKEN_FORMAT = /^lhin_[A-Za-z0-9_-]{43}$/;

/**
 * A new source token (SPEC §14: a credential). Only its SHA-256 is stored, to find the source by it; `hint` (its
 * first and last four characters) lets people tell tokens apart without holding one.
 */
export function mintInboundToken(): { token: string; hash: Buffer; hint: string } {
  const token = `lhin_${randomBytes(32).toString('base64url')}`;
  return { token, hash: inboundTokenHash(token), hint: inboundTokenHint(token) };
}

export function inboundTokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function inboundTokenHint(token: string): string {
  return `${token.slice(0, 9)}…${token.slice(-4)}`;
}
