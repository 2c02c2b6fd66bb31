import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
/** Opened values kept per process: the dispatcher opens the same few sites' URL and secret for every delivery. */
const OPENED_CACHE_MAX = 1_000;

/**
 * AES-256-GCM for credentials at rest (hook URLs and signing secrets, SPEC §2).
 * Stored form: `enc:v1:<base64 iv|tag|ciphertext>`. The key comes from config (DATA_ENCRYPTION_KEY).
 */
export class SecretBox {
  private readonly key: KeyObject;
  private readonly opened = new Map<string, string>();

  constructor(key: string | Buffer) {
    const raw = typeof key === 'string' ? SecretBox.parseKey(key) : key;
    if (raw.length !== 32) throw new Error('the data encryption key must be 32 bytes');
    this.key = createSecretKey(raw);
  }

  /** Accepts 64 hex chars or base64 of 32 bytes. */
  static parseKey(text: string): Buffer {
    const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (key.length !== 32) throw new Error('must be 32 bytes as 64 hex characters or base64');
    return key;
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    const cached = this.opened.get(sealed);
    if (cached !== undefined) return cached;
    if (!sealed.startsWith(PREFIX)) throw new Error('value is not sealed by SecretBox');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plaintext = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    if (this.opened.size >= OPENED_CACHE_MAX) this.opened.clear();
    this.opened.set(sealed, plaintext);
    return plaintext;
  }

  sealNullable(plaintext: string | null): string | null {
    return plaintext === null ? null : this.seal(plaintext);
  }

  openNullable(sealed: string | null): string | null {
    return sealed === null ? null : this.open(sealed);
  }
}
