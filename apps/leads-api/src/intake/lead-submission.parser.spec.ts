import { BadRequestException } from '@nestjs/common';
import { EXTRA_LIMITS, parseLeadSubmission } from './lead-submission.parser.js';

function errorsOf(body: unknown): Array<{ field: string; message: string }> {
  try {
    parseLeadSubmission(body);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (
      (error as BadRequestException).getResponse() as { errors: Array<{ field: string; message: string }> }
    ).errors;
  }
  throw new Error('expected a 400');
}

describe(parseLeadSubmission.name, () => {
  it('maps known fields (in any case, spaced or dashed) to columns and keeps everything else in extra', () => {
    const sut = parseLeadSubmission({
      Email: ' ada@example.com ',
      'Page URL': 'https://acme.test/a',
      'lead-source': 'ads',
      'First Name': 'Ada',
      plan: 'pro',
    });
    expect(sut.fields).toMatchObject({
      email: 'ada@example.com',
      page_url: 'https://acme.test/a',
      lead_source: 'ads',
    });
    expect(sut.extra).toEqual({ 'First Name': 'Ada', plan: 'pro' });
  });

  it('keeps lists (checkbox groups, repeated keys) and merges `name[]` with `name`', () => {
    const sut = parseLeadSubmission({
      email: 'a@example.com',
      'tags[]': ['a', 'b'],
      tags: 'c',
      single: ['x'],
    });
    expect(sut.extra).toEqual({ tags: ['a', 'b', 'c'], single: ['x'] });
  });

  it('takes the first non-empty value of a known field given twice, and accepts a phone sent as a number', () => {
    expect(parseLeadSubmission({ email: ['', 'b@example.com', 'c@example.com'] }).fields.email).toBe(
      'b@example.com',
    );
    expect(parseLeadSubmission({ phone: 5550100123 }).fields.phone).toBe('5550100123');
  });

  it('skips the ignored (honeypot) field', () => {
    expect(parseLeadSubmission({ email: 'a@example.com', _gotcha: '' }, ['_gotcha']).extra).toEqual({});
  });

  it.each([
    ['no way to reach the lead', { name: 'Ada' }, 'email'],
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['a phone without enough digits', { phone: '12-34' }, 'phone'],
    ['a nested object', { email: 'a@example.com', utm: { source: 'x' } }, 'utm'],
    ['a list holding an object', { email: 'a@example.com', items: [{ a: 1 }] }, 'items'],
    ['a NUL in a value', { email: 'a@example.com', note: 'a\u0000b' }, 'note'],
    ['a lone surrogate', { email: 'a@example.com', note: '\ud800' }, 'note'],
    [
      'a value over the limit',
      { email: 'a@example.com', note: 'x'.repeat(EXTRA_LIMITS.maxValueLength + 1) },
      'note',
    ],
    ['a boolean where text belongs', { email: true }, 'email'],
  ])('refuses %s, naming the field', (_label, body, field) => {
    expect(errorsOf(body).map((e) => e.field)).toContain(field);
  });

  it('refuses more extra fields than the limit, and a body that is not an object', () => {
    const many = Object.fromEntries(
      Array.from({ length: EXTRA_LIMITS.maxFields + 1 }, (_, i) => [`f${i}`, 'v']),
    );
    expect(errorsOf({ email: 'a@example.com', ...many }).map((e) => e.field)).toContain('extra');
    expect(errorsOf('email=a').map((e) => e.field)).toEqual(['body']);
  });
});
