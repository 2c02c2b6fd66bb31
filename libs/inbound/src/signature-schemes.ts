import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a tool proves a request came from it (SPEC §14 "where the tool signs its requests, a source `secret` makes
 * the signature required"). Each is the tool's own documented scheme, so the tool needs no change:
 * - `typeform`: `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`
 * - `tally`: `Tally-Signature: <base64 HMAC-SHA256(secret, raw body)>`
 * - `webflow`: `x-webflow-signature: <hex HMAC-SHA256(secret, "<x-webflow-timestamp>:<raw body>")>`, the timestamp in
 *   milliseconds and within the tolerance (a replayed request is refused)
 * - `hmac_sha256_hex`: `X-Webhook-Signature: [sha256=]<hex HMAC-SHA256(secret, raw body)>` (this product's own outbound
 *   style, for tools and scripts that can compute it)
 * - `secret_header`: `X-Webhook-Secret: <secret>` (tools that can only add a fixed header, e.g. Gravity Forms)
 * - `none`: the tool cannot prove anything; the URL's token is the only credential
 */
export const SIGNATURE_SCHEMES = [
  'none',
  'typeform',
  'tally',
  'webflow',
  'hmac_sha256_hex',
  'secret_header',
] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** Request headers the scheme reads (never offered to a mapping nor kept in the log). */
export const SIGNATURE_HEADERS: Record<SignatureScheme, readonly string[]> = {
  none: [],
  typeform: ['typeform-signature'],
  tally: ['tally-signature'],
  webflow: ['x-webflow-signature', 'x-webflow-timestamp'],
  hmac_sha256_hex: ['x-webhook-signature'],
  secret_header: ['x-webhook-secret'],
};

export interface SignedRequest {
  /** The body exactly as received. */
  raw: Buffer;
  /** Lower-case header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
}

export interface SignatureCheckOptions {
  /** How far a signed timestamp may be from now (schemes that carry one). */
  toleranceMs: number;
  now?: () => number;
}

/**
 * Why the request's signature does not prove it came from the tool holding `secret`, or null when it does.
 * Comparisons are constant-time (both sides hashed to equal length first, so not even the length leaks).
 */
export function signatureProblem(
  scheme: SignatureScheme,
  secret: string,
  request: SignedRequest,
  options: SignatureCheckOptions,
): string | null {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const hmac = () => createHmac('sha256', secret);
  switch (scheme) {
    case 'none':
      return null;
    case 'typeform': {
      const received = header('typeform-signature');
      if (!received) return 'the Typeform-Signature header is missing';
      const expected = `sha256=${hmac().update(request.raw).digest('base64')}`;
      return same(received, expected) ? null : 'the Typeform-Signature does not match the body';
    }
    case 'tally': {
      const received = header('tally-signature');
      if (!received) return 'the Tally-Signature header is missing';
      const expected = hmac().update(request.raw).digest('base64');
      return same(received, expected) ? null : 'the Tally-Signature does not match the body';
    }
    case 'webflow': {
      const received = header('x-webflow-signature');
      const timestamp = header('x-webflow-timestamp');
      if (!received || !timestamp) return 'the x-webflow-signature or x-webflow-timestamp header is missing';
      if (!/^\d{1,16}$/.test(timestamp)) return 'x-webflow-timestamp is not a time in milliseconds';
      const now = (options.now ?? Date.now)();
      if (Math.abs(now - Number(timestamp)) > options.toleranceMs)
        return `x-webflow-timestamp is more than ${Math.round(options.toleranceMs / 1000)} s from now (a replayed or delayed request)`;
      const expected = hmac().update(`${timestamp}:`).update(request.raw).digest('hex');
      return same(received.toLowerCase(), expected)
        ? null
        : 'the x-webflow-signature does not match the body';
    }
    case 'hmac_sha256_hex': {
      const received = header('x-webhook-signature');
      if (!received) return 'the X-Webhook-Signature header is missing';
      const expected = hmac().update(request.raw).digest('hex');
      return same(received.replace(/^sha256=/i, '').toLowerCase(), expected)
        ? null
        : 'the X-Webhook-Signature does not match the body';
    }
    case 'secret_header': {
      const received = header('x-webhook-secret');
      if (!received) return 'the X-Webhook-Secret header is missing';
      return same(received, secret) ? null : 'the X-Webhook-Secret is wrong';
    }
  }
}

function same(received: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(received), digest(expected));
}
