import { BadRequestException } from '@nestjs/common';
import { redirectTarget } from './redirect-target.js';

describe(redirectTarget.name, () => {
  it('accepts the site host and its subdomains, over http or https', () => {
    expect(redirectTarget('https://acme.test/thanks', 'acme.test')).toBe('https://acme.test/thanks');
    expect(redirectTarget('http://www.acme.test/thanks?x=1', 'ACME.test')).toBe(
      'http://www.acme.test/thanks?x=1',
    );
    expect(redirectTarget(undefined, 'acme.test')).toBeUndefined();
    expect(redirectTarget('', 'acme.test')).toBeUndefined();
  });

  it.each([
    'https://evil.test/',
    'https://acme.test.evil.test/',
    'https://notacme.test/',
    'javascript:alert(1)',
    '/relative',
    'ftp://acme.test/',
  ])('refuses %s (no open redirect)', (redirect) => {
    expect(() => redirectTarget(redirect, 'acme.test')).toThrow(BadRequestException);
  });
});
