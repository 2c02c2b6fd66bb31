import { createCipheriv } from 'node:crypto';
import { SecretBox, UnreadableSecretError } from './secret-box.js';

describe(SecretBox.name, () => {
  const key = SecretBox.generateKey();
  const sut = new SecretBox(key);

  it('round-trips and never stores the plaintext', () => {
    const sealed = sut.seal('https://hooks.zapier.com/hooks/catch/123/abc/');
    expect(sealed).not.toContain('zapier');
    expect(sealed).toMatch(/^enc:v2:[\w-]{8}:/);
    expect(sut.open(sealed)).toBe('https://hooks.zapier.com/hooks/catch/123/abc/');
  });

  it('refuses a value sealed with another key with an UnreadableSecretError naming the key id', () => {
    const other = new SecretBox(SecretBox.generateKey());
    expect(() => sut.open(other.seal('secret'))).toThrow(UnreadableSecretError);
    expect(() => sut.open(other.seal('secret'))).toThrow(new RegExp(other.currentKeyId));
  });

  it('opens values sealed under a previous key after a key rotation, and seals under the new one', () => {
    const rotated = new SecretBox(SecretBox.generateKey(), [key]);
    const old = sut.seal('whsec_old');
    expect(rotated.open(old)).toBe('whsec_old');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('x'))).toBe(true);
  });

  it('opens legacy enc:v1 values with any key held', () => {
    const legacyKey = Buffer.alloc(32, 9);
    const iv = Buffer.alloc(12, 1);
    const cipher = createCipheriv('aes-256-gcm', legacyKey, iv);
    const body = Buffer.concat([cipher.update('legacy', 'utf8'), cipher.final()]);
    const sealed = `enc:v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    expect(new SecretBox(SecretBox.generateKey(), [legacyKey]).open(sealed)).toBe('legacy');
  });

  it('rejects keys of the wrong size', () => {
    expect(() => SecretBox.parseKey('abcd')).toThrow(/32 bytes/);
  });
});
