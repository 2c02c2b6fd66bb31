import { afterAll, describe, expect, it } from '@jest/globals';
import { MappingEngine } from './mapping-engine.js';
import { DEFAULT_MAPPING_LIMITS } from './mapping-limits.js';

describe(MappingEngine.name, () => {
  const sut = new MappingEngine({ ...DEFAULT_MAPPING_LIMITS, timeoutMs: 100, maxOutputBytes: 10_000 }, 2);
  afterAll(() => sut.close());

  it('renders the object a mapping builds, as the exact JSON to send', async () => {
    const result = await sut.evaluate('{ "full_name": lead.name, "tags": [lead.extra.plan, "web"] }', {
      lead: { name: 'Ada', extra: { plan: 'pro' } },
    });
    expect(result).toEqual({ ok: true, json: '{"full_name":"Ada","tags":["pro","web"]}' });
  });

  it('says where a syntax error is', async () => {
    const result = await sut.evaluate('{ "a": lead.name ', {});
    expect(result).toMatchObject({ ok: false, error: { kind: 'syntax', code: 'S0203', position: 17 } });
  });

  it('stops an endless recursion at the time limit', async () => {
    const started = Date.now();
    const result = await sut.evaluate('($f := function($n){ $f($n + 1) }; { "x": $f(0) })', {});
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('terminates a worker stuck inside one step (catastrophic regular expression) and keeps serving', async () => {
    const started = Date.now();
    const stuck = await sut.evaluate('{ "m": $contains(text, /^(a+)+$/) }', { text: `${'a'.repeat(40)}!` });
    expect(stuck).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await sut.evaluate('{ "ok": true }', {})).toEqual({ ok: true, json: '{"ok":true}' });
  });

  it('refuses results that are not one JSON object, or too large', async () => {
    expect(await sut.evaluate('lead.missing', { lead: {} })).toMatchObject({
      ok: false,
      error: { kind: 'output' },
    });
    expect(await sut.evaluate('[1, 2]', {})).toMatchObject({ ok: false, error: { kind: 'output' } });
    expect(await sut.evaluate('"text"', {})).toMatchObject({ ok: false, error: { kind: 'output' } });
    expect(await sut.evaluate('{ "big": $pad("", 20000, "x") }', {})).toMatchObject({
      ok: false,
      error: { kind: 'output', message: expect.stringContaining('limit is 10000') },
    });
  });

  it('bounds the sequences an evaluation builds and refuses $eval', async () => {
    expect(await sut.evaluate('{ "n": $count([1..5000000]) }', {})).toMatchObject({ ok: false });
    expect(await sut.evaluate('{ "n": $eval("1 + 1") }', {})).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('$eval') },
    });
  });

  it('parses JSON text nested in a field with $parseJson, and says when the text is not JSON', async () => {
    expect(
      await sut.evaluate('{ "email": $parseJson(body.rawRequest).q4_email }', {
        body: { rawRequest: '{"q4_email":"ada@example.com"}' },
      }),
    ).toEqual({ ok: true, json: '{"email":"ada@example.com"}' });
    expect(await sut.evaluate('{ "x": $parseJson(body.missing) }', { body: {} })).toEqual({
      ok: true,
      json: '{}',
    });
    expect(await sut.evaluate('{ "x": $parseJson("{oops") }', {})).toMatchObject({
      ok: false,
      error: { kind: 'evaluation', code: 'LH002', message: expect.stringContaining('not JSON') },
    });
  });

  it('ends an evaluation that needs more memory than its worker has, and only that one', async () => {
    const small = new MappingEngine({ ...DEFAULT_MAPPING_LIMITS, timeoutMs: 5_000, workerHeapMb: 16 }, 1);
    try {
      const result = await small.evaluate(
        '{ "x": $count([1..90000].($string($) & $pad("", 2000, "y"))) }',
        {},
      );
      expect(result.ok).toBe(false);
      expect(await small.evaluate('{ "after": 1 }', {})).toEqual({ ok: true, json: '{"after":1}' });
    } finally {
      await small.close();
    }
  });

  it('survives one allocation larger than a worker may hold (a worker thread there would abort the whole process)', async () => {
    const small = new MappingEngine({ ...DEFAULT_MAPPING_LIMITS, timeoutMs: 10_000, workerHeapMb: 32 }, 1);
    try {
      for (const source of [
        '{ "x": $length($pad("", 100000000)) }',
        '{ "x": $length($pad("", 60000000, "ab")) }',
      ]) {
        const result = await small.evaluate(source, {});
        expect(result).toEqual({
          ok: false,
          error: { kind: 'resources', message: 'the mapping needed more memory than allowed' },
        });
        expect(await small.evaluate('{ "after": 1 }', {})).toEqual({ ok: true, json: '{"after":1}' });
      }
    } finally {
      await small.close();
    }
  });

  it('runs evaluations of different callers side by side without mixing their results', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sut.evaluate('{ "i": i }', { i })),
    );
    expect(
      results.map((result) => (result.ok ? (JSON.parse(result.json) as { i: number }).i : null)),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
