'use strict';

const crypto = require('node:crypto');
const { verifySignature, TIMESTAMP_TOLERANCE_SECONDS } = require('../lib/signature');

describe('verifySignature', () => {
  const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  const content = JSON.stringify({ id: 'evt_1', event: 'lead.created', lead_id: 'x' });
  const now = 1_800_000_000_000;
  const sign = (body, timestamp, key = secret) =>
    crypto
      .createHmac('sha256', Buffer.from(key.slice(6), 'base64'))
      .update(`evt_1.${timestamp}.${body}`)
      .digest('base64');
  /** As Zapier hands them to perform: prefixed `Http-`, Camel-Case. */
  const request = (body, timestamp, signature = sign(body, timestamp)) => ({
    content: body,
    headers: {
      'Http-Webhook-Id': 'evt_1',
      'Http-Webhook-Timestamp': String(timestamp),
      'Http-Webhook-Signature': `v1,${signature}`,
    },
  });
  const seconds = now / 1000;

  it('accepts a request signed with the secret, within five minutes either way', () => {
    expect(verifySignature(request(content, seconds), secret, now)).toBe('valid');
    expect(verifySignature(request(content, seconds - TIMESTAMP_TOLERANCE_SECONDS), secret, now)).toBe(
      'valid',
    );
    expect(verifySignature(request(content, seconds + TIMESTAMP_TOLERANCE_SECONDS), secret, now)).toBe(
      'valid',
    );
  });

  it('accepts any one of several signatures (a secret rotation sends both)', () => {
    const other = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    const signed = request(content, seconds);
    signed.headers['Http-Webhook-Signature'] =
      `v1,${sign(content, seconds, other)} v1,${sign(content, seconds)}`;
    expect(verifySignature(signed, secret, now)).toBe('valid');
  });

  it('refuses a tampered body or a signature made with another secret', () => {
    expect(verifySignature(request(`${content} `, seconds, sign(content, seconds)), secret, now)).toBe(
      'invalid',
    );
    const other = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    expect(verifySignature(request(content, seconds, sign(content, seconds, other)), secret, now)).toBe(
      'invalid',
    );
  });

  it('refuses a correctly signed request captured long ago or dated in the future (replay)', () => {
    const from2001 = 1_000_000_000;
    expect(verifySignature(request(content, from2001), secret, now)).toBe('stale');
    expect(verifySignature(request(content, seconds - TIMESTAMP_TOLERANCE_SECONDS - 1), secret, now)).toBe(
      'stale',
    );
    expect(verifySignature(request(content, seconds + TIMESTAMP_TOLERANCE_SECONDS + 1), secret, now)).toBe(
      'stale',
    );
    expect(verifySignature(request(content, 'soon', sign(content, 'soon')), secret, now)).toBe('stale');
  });

  it('calls a request without signature headers or without a body unsigned', () => {
    expect(verifySignature({ content, headers: {} }, secret, now)).toBe('unsigned');
    expect(verifySignature({ headers: request(content, seconds).headers }, secret, now)).toBe('unsigned');
    expect(verifySignature(undefined, secret, now)).toBe('unsigned');
  });
});
