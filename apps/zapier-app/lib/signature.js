'use strict';

const crypto = require('node:crypto');

/** How far a delivery's `webhook-timestamp` may be from now (either way): the Standard Webhooks default. */
const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/**
 * Standard Webhooks verification of a REST hook delivery: leadhooks signs `${webhook-id}.${webhook-timestamp}.${body}`
 * with HMAC-SHA256 under the subscription's secret (`whsec_<base64>`, returned when the hook was subscribed and kept
 * by Zapier in `bundle.subscribeData`). Zapier hands the request to `perform` with its headers prefixed `Http-`;
 * both spellings are read.
 */
function header(headers, name) {
  for (const [key, value] of Object.entries(headers || {})) {
    const lower = key.toLowerCase();
    if (lower === name || lower === `http-${name}`) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * 'valid' | 'invalid' (no signature matches) | 'stale' (signed, but its timestamp is more than five minutes from
 * `nowMs`: a captured request replayed later) | 'unsigned' (no signature headers, or no body).
 */
function verifySignature(rawRequest, secret, nowMs = Date.now()) {
  if (!rawRequest || typeof rawRequest.content !== 'string') return 'unsigned';
  const id = header(rawRequest.headers, 'webhook-id');
  const timestamp = header(rawRequest.headers, 'webhook-timestamp');
  const signatures = header(rawRequest.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return 'unsigned';
  const key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
  const expected = crypto
    .createHmac('sha256', key)
    .update(`${id}.${timestamp}.${rawRequest.content}`)
    .digest();
  const matches = String(signatures)
    .split(' ')
    .some((candidate) => {
      const [version, value] = candidate.split(',');
      if (version !== 'v1' || !value) return false;
      const given = Buffer.from(value, 'base64');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
  if (!matches) return 'invalid';
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(String(timestamp)) || Math.abs(nowMs / 1000 - seconds) > TIMESTAMP_TOLERANCE_SECONDS)
    return 'stale';
  return 'valid';
}

module.exports = { verifySignature, TIMESTAMP_TOLERANCE_SECONDS };
