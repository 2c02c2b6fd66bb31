import { SecretBox } from './secret-box.js';

describe(SecretBox.name, () => {
  const sut = new SecretBox(SecretBox.generateKey());

  it('round-trips and never stores the plaintext', () => {
    const sealed = sut.seal('https://hooks.zapier.com/hooks/catch/123/abc/');
    expect(sealed).not.toContain('zapier');
    expect(sut.open(sealed)).toBe('https://hooks.zapier.com/hooks/catch/123/abc/');
  });

  it('refuses a value sealed with another key', () => {
    const other = new SecretBox(SecretBox.generateKey());
    expect(() => sut.open(other.seal('secret'))).toThrow();
  });

  it('rejects keys of the wrong size', () => {
    expect(() => SecretBox.parseKey('abcd')).toThrow(/32 bytes/);
  });
});
