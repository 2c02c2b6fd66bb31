'use strict';

const crypto = require('node:crypto');

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

/** 'valid' | 'invalid' | 'unsigned' (no signature headers, or no secret to check them with). */
function verifySignature(rawRequest, secret) {
  if (!rawRequest || typeof rawRequest.content !== 'string' || !secret) return 'unsigned';
  const id = header(rawRequest.headers, 'webhook-id');
  const timestamp = header(rawRequest.headers, 'webhook-timestamp');
  const signatures = header(rawRequest.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return 'unsigned';
  const key = Buffer.from(String(secret).replace(/^whsec_/, ''), 'base64');
  const expected = crypto
    .createHmac('sha256', key)
    .update(`${id}.${timestamp}.${rawRequest.content}`)
    .digest();
  for (const candidate of String(signatures).split(' ')) {
    const [version, value] = candidate.split(',');
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return 'valid';
  }
  return 'invalid';
}

module.exports = { verifySignature };
