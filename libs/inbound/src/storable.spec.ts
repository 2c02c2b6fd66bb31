import { describe, expect, it } from '@jest/globals';
import { bodyForLog, storableJson, storableText } from './storable.js';

describe(storableText.name, () => {
  it('makes NUL and unpaired surrogates storable and cuts at the limit without splitting a pair', () => {
    expect(storableText('a\u0000b\ud800', 100)).toEqual({ text: 'a\uFFFDb\uFFFD', truncated: false });
    const cut = storableText('ab🚀', 3);
    expect(cut.truncated).toBe(true);
    expect(cut.text.isWellFormed()).toBe(true);
  });
});

describe(storableJson.name, () => {
  it('cleans keys and values, bounds depth, drops non-finite numbers', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(storableJson({ 'k\u0000': ['\ud800'], n: Number.NaN, deep })).toMatchObject({
      'k\uFFFD': ['\uFFFD'],
      n: null,
      deep: { d: { d: { d: { d: { d: { d: { d: '[nested too deeply]' } } } } } } },
    });
  });
});

describe(bodyForLog.name, () => {
  it('keeps a parsed body as its JSON text (escapes stay escapes) and an unreadable one as its first bytes', () => {
    expect(bodyForLog({ parsed: { a: 'x\u0000y' } }, 100)).toEqual({
      text: '{"a":"x\\u0000y"}',
      truncated: false,
    });
    expect(bodyForLog({ raw: Buffer.from([0x61, 0x00, 0xff]) }, 100)).toEqual({
      text: 'a\uFFFD\uFFFD',
      truncated: false,
    });
    expect(bodyForLog({ raw: Buffer.from('x'.repeat(50)) }, 10)).toEqual({
      text: 'x'.repeat(10),
      truncated: true,
    });
  });
});
