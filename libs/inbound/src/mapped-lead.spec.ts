import { describe, expect, it } from '@jest/globals';
import { readMappedLead } from './mapped-lead.js';

describe(readMappedLead.name, () => {
  it('reads text fields (numbers as text, a list as its first value, empty as absent), extra and the submission id', () => {
    expect(
      readMappedLead(
        JSON.stringify({
          name: ' Ada ',
          phone: 15550000000,
          email: [null, '', 'ada@example.com', 'b@example.com'],
          message: '',
          extra: { plan: 'pro' },
          idempotency_key: 42,
        }),
      ),
    ).toEqual({
      ok: true,
      lead: {
        fields: { name: 'Ada', phone: '15550000000', email: 'ada@example.com' },
        extra: { plan: 'pro' },
        idempotencyKey: '42',
      },
    });
  });

  it('names every field that cannot be read and why', () => {
    expect(
      readMappedLead(JSON.stringify({ emial: 'x', name: { first: 'A' }, phone: true, extra: [1] })),
    ).toEqual({
      ok: false,
      errors: [
        { field: 'emial', message: expect.stringContaining('not a lead field') },
        { field: 'name', message: 'must be text or a number (it is an object)' },
        { field: 'phone', message: 'must be text or a number (it is a boolean)' },
        { field: 'extra', message: 'must be an object of fields (it is a list)' },
      ],
    });
  });

  it('keeps a long or unstorable submission id as its SHA-256, one per id', () => {
    const long = readMappedLead(JSON.stringify({ idempotency_key: 'k'.repeat(500) }));
    const nul = readMappedLead(JSON.stringify({ idempotency_key: 'a\u0000b' }));
    const lone = readMappedLead(JSON.stringify({ idempotency_key: 'a\ud800' }));
    for (const read of [long, nul, lone])
      expect(read.ok && read.lead.idempotencyKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(long.ok && nul.ok && long.lead.idempotencyKey !== nul.lead.idempotencyKey).toBe(true);
  });
});
