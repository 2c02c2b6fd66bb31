'use strict';

const { idempotencyKeyOf } = require('../lib/idempotency');

describe('idempotencyKeyOf (Create Lead)', () => {
  const day = new Date('2026-11-30T12:00:00Z');
  const body = { email: 'ada@example.com' };
  /** A step of a Zap: its field templates name the Zap's own step (node) ids. */
  const step = (node, inputData) => ({
    inputData,
    inputDataRaw: Object.fromEntries(Object.keys(inputData).map((key) => [key, `{{${node}__${key}}}`])),
    meta: {},
  });

  it('gives a replayed step the same key, and never reads the deprecated bundle.meta.zap.id', () => {
    const bundle = step(111, { email: 'ada@example.com' });
    expect(idempotencyKeyOf(bundle, body, 'create_lead', day)).toBe(
      idempotencyKeyOf(bundle, body, 'create_lead', day),
    );
    const withZap = { ...bundle, meta: { zap: { id: 42 } } };
    expect(idempotencyKeyOf(withZap, body, 'create_lead', day)).toBe(
      idempotencyKeyOf(bundle, body, 'create_lead', day),
    );
    expect(idempotencyKeyOf(bundle, body, 'create_lead', day)).toMatch(
      /^zapier:[\w-]{22}:auto:2026-11-30:[\w-]{43}$/,
    );
  });

  it('scopes the automatic key to the Zap and step: the same input from two Zaps makes two leads', () => {
    const a = step(111, { email: 'ada@example.com' });
    const b = step(222, { email: 'ada@example.com' });
    expect(idempotencyKeyOf(a, body, 'create_lead', day)).not.toBe(
      idempotencyKeyOf(b, body, 'create_lead', day),
    );
    expect(idempotencyKeyOf(a, { email: 'bob@example.com' }, 'create_lead', day)).not.toBe(
      idempotencyKeyOf(a, body, 'create_lead', day),
    );
    expect(idempotencyKeyOf(a, body, 'create_lead', new Date('2026-12-01T00:00:01Z'))).not.toBe(
      idempotencyKeyOf(a, body, 'create_lead', day),
    );
  });

  it('makes a mapped key explicit and scoped: the same value in another Zap is another lead', () => {
    const a = step(111, { email: 'ada@example.com', idempotency_key: ' row-7 ' });
    const b = step(222, { email: 'ada@example.com', idempotency_key: 'row-7' });
    const keyA = idempotencyKeyOf(a, body, 'create_lead', day);
    expect(keyA).toMatch(/^zapier:[\w-]{22}:mapped:row-7$/);
    expect(idempotencyKeyOf(b, body, 'create_lead', day)).not.toBe(keyA);
    // The mapped key holds whatever the day and the other values.
    const later = { ...a, inputData: { ...a.inputData, email: 'changed@example.com' } };
    expect(idempotencyKeyOf(later, { email: 'changed@example.com' }, 'create_lead', new Date())).toBe(keyA);
  });

  it('keeps a long mapped value within the 200 characters leadhooks stores, still one key per value', () => {
    const long = (suffix) => step(111, { idempotency_key: `${'x'.repeat(300)}${suffix}` });
    const key = idempotencyKeyOf(long('a'), body, 'create_lead', day);
    expect(key.length).toBeLessThanOrEqual(200);
    expect(key).toMatch(/^zapier:[\w-]{22}:mapped-digest:/);
    expect(idempotencyKeyOf(long('b'), body, 'create_lead', day)).not.toBe(key);
  });
});
