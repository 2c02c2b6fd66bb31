import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signatureProblem } from './signature-schemes.js';

const raw = Buffer.from('{"event_id":"LtWXD3crgy","event_type":"form_response"}');
const options = { toleranceMs: 300_000, now: () => 1_722_370_035_277 };
const hmac = (secret: string, data: string | Buffer) => createHmac('sha256', secret).update(data);

describe(signatureProblem.name, () => {
  it("accepts Typeform's sha256=<base64> over the raw body and refuses a missing, wrong or other-body one", () => {
    const good = `sha256=${hmac('s3cret', raw).digest('base64')}`;
    expect(
      signatureProblem('typeform', 's3cret', { raw, headers: { 'typeform-signature': good } }, options),
    ).toBeNull();
    expect(signatureProblem('typeform', 's3cret', { raw, headers: {} }, options)).toMatch(/missing/);
    expect(
      signatureProblem('typeform', 'other', { raw, headers: { 'typeform-signature': good } }, options),
    ).toMatch(/does not match/);
    expect(
      signatureProblem(
        'typeform',
        's3cret',
        { raw: Buffer.from(`${raw.toString()} `), headers: { 'typeform-signature': good } },
        options,
      ),
    ).toMatch(/does not match/);
    // The bare base64 (Tally's form) is not Typeform's.
    expect(
      signatureProblem(
        'typeform',
        's3cret',
        { raw, headers: { 'typeform-signature': good.slice(7) } },
        options,
      ),
    ).toMatch(/does not match/);
  });

  it("accepts Tally's bare base64 HMAC", () => {
    const good = hmac('tally', raw).digest('base64');
    expect(
      signatureProblem('tally', 'tally', { raw, headers: { 'tally-signature': good } }, options),
    ).toBeNull();
    expect(
      signatureProblem('tally', 'tally', { raw, headers: { 'tally-signature': `${good}x` } }, options),
    ).not.toBeNull();
  });

  it("accepts Webflow's hex HMAC of '<timestamp>:<body>' within the tolerance only", () => {
    const timestamp = String(options.now());
    const signature = hmac('wf', `${timestamp}:${raw.toString()}`).digest('hex');
    const headers = { 'x-webflow-timestamp': timestamp, 'x-webflow-signature': signature };
    expect(signatureProblem('webflow', 'wf', { raw, headers }, options)).toBeNull();
    expect(
      signatureProblem(
        'webflow',
        'wf',
        { raw, headers: { ...headers, 'x-webflow-signature': signature.toUpperCase() } },
        options,
      ),
    ).toBeNull();
    expect(
      signatureProblem('webflow', 'wf', { raw, headers }, { ...options, now: () => options.now() + 301_000 }),
    ).toMatch(/from now/);
    expect(
      signatureProblem(
        'webflow',
        'wf',
        { raw, headers: { ...headers, 'x-webflow-timestamp': 'soon' } },
        options,
      ),
    ).toMatch(/milliseconds/);
    const moved = String(options.now() + 1);
    expect(
      signatureProblem(
        'webflow',
        'wf',
        { raw, headers: { ...headers, 'x-webflow-timestamp': moved } },
        options,
      ),
    ).toMatch(/does not match/);
  });

  it('accepts the hex HMAC with or without its sha256= prefix, and a fixed secret header', () => {
    const hex = hmac('k', raw).digest('hex');
    for (const value of [hex, `sha256=${hex}`])
      expect(
        signatureProblem('hmac_sha256_hex', 'k', { raw, headers: { 'x-webhook-signature': value } }, options),
      ).toBeNull();
    expect(
      signatureProblem(
        'secret_header',
        'fixed-secret',
        { raw, headers: { 'x-webhook-secret': 'fixed-secret' } },
        options,
      ),
    ).toBeNull();
    expect(
      signatureProblem(
        'secret_header',
        'fixed-secret',
        { raw, headers: { 'x-webhook-secret': 'fixed-secre' } },
        options,
      ),
    ).toMatch(/wrong/);
    expect(signatureProblem('none', 'anything', { raw, headers: {} }, options)).toBeNull();
  });
});
