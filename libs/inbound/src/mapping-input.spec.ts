import { describe, expect, it } from '@jest/globals';
import { offeredHeaders, offeredQuery, redactEverywhere } from './mapping-input.js';

describe(offeredHeaders.name, () => {
  it('offers lower-cased headers without credentials, signatures or transport headers', () => {
    expect(
      offeredHeaders({
        'user-agent': 'Typeform Webhooks',
        'content-type': 'application/json',
        authorization: 'Bearer x',
        cookie: 'a=b',
        'typeform-signature': 'sha256=x',
        'x-webflow-timestamp': '1',
        'x-api-key': 'k',
        'x-webhook-secret': 's',
        host: 'leads.example.com',
        'x-forwarded-for': ['203.0.113.1', '10.0.0.1'],
      }),
    ).toEqual({
      'user-agent': 'Typeform Webhooks',
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.1, 10.0.0.1',
    });
  });

  it('leaves credential-looking query parameters out', () => {
    expect(offeredQuery({ ref: 'ad', token: 't', secret: 's', key: 'k', utm_source: 'x' })).toEqual({
      ref: 'ad',
      utm_source: 'x',
    });
  });
});

describe(redactEverywhere.name, () => {
  it('replaces a secret in every string of a nested value, in place', () => {
    const value = {
      webhookURL: 'https://x/v1/inbound/lhin_T',
      list: ['lhin_T', { deep: 'a lhin_T b' }],
      n: 1,
    };
    expect(redactEverywhere(value, 'lhin_T', '[t]')).toEqual({
      webhookURL: 'https://x/v1/inbound/[t]',
      list: ['[t]', { deep: 'a [t] b' }],
      n: 1,
    });
  });
});
