import { describe, expect, it } from '@jest/globals';
import { checkMappingSyntax } from './mapping-syntax.js';

describe(checkMappingSyntax.name, () => {
  const limits = { maxSourceLength: 100 };

  it('accepts a JSONata expression', () => {
    expect(checkMappingSyntax('{ "email": lead.email }', limits)).toBeNull();
  });

  it('names the position of a syntax error', () => {
    expect(checkMappingSyntax('{ "a": }', limits)).toMatchObject({
      kind: 'syntax',
      code: 'S0211',
      position: 8,
    });
  });

  it('refuses an empty or an over-long mapping', () => {
    expect(checkMappingSyntax('  ', limits)).toMatchObject({
      kind: 'syntax',
      message: 'the mapping is empty',
    });
    expect(checkMappingSyntax('1'.repeat(101), limits)).toMatchObject({ kind: 'syntax' });
  });

  it('reports a nesting too deep for the parser instead of throwing', () => {
    expect(
      checkMappingSyntax(`${'('.repeat(20_000)}1${')'.repeat(20_000)}`, { maxSourceLength: 50_000 }),
    ).toMatchObject({
      kind: 'syntax',
      message: 'the expression is nested too deeply',
    });
  });
});
