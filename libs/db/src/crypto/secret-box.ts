import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

const V1 = 'enc:v1:';
const V2 = 'enc:v2:';
/** Opened values kept per process: the dispatcher opens the same few sites' URL and secret for every delivery. */
const OPENED_CACHE_MAX = 1_000;

/** A sealed value this process cannot open: sealed under a key it does not hold, or damaged. */
export class UnreadableSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableSecretError';
  }
}

interface Key {
  id: string;
  key: KeyObject;
}

/**
 * AES-256-GCM for credentials at rest (hook URLs and signing secrets, SPEC §2), with key rotation.
 *
 * Stored form: `enc:v2:<key id>:<base64 iv|tag|ciphertext>`, where the key id is a short hash of the key, so a
 * value names the key that opens it. Values are always sealed under the current key (DATA_ENCRYPTION_KEY);
 * previous keys (DATA_ENCRYPTION_PREVIOUS_KEYS) still open what they sealed until `npm run reseal` has moved
 * every value to the current key. `enc:v1:` values (no key id) are tried against every key.
 */
export class SecretBox {
  private readonly current: Key;
  private readonly keys: Key[];
  private readonly opened = new Map<string, string>();

  constructor(currentKey: string | Buffer, previousKeys: Array<string | Buffer> = []) {
    this.current = SecretBox.toKey(currentKey);
    this.keys = [this.current, ...previousKeys.map((key) => SecretBox.toKey(key))];
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

  private static toKey(key: string | Buffer): Key {
    const raw = typeof key === 'string' ? SecretBox.parseKey(key) : key;
    if (raw.length !== 32) throw new Error('the data encryption key must be 32 bytes');
    return {
      id: createHash('sha256').update(raw).digest('base64url').slice(0, 8),
      key: createSecretKey(raw),
    };
  }

  /** The id stored with values sealed now (shown by the reseal command). */
  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${V2}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Whether a sealed value was sealed under the current key (else `reseal` would move it). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${V2}${this.current.id}:`);
  }

  /** Opens a sealed value; throws UnreadableSecretError when no key held here opens it. */
  open(sealed: string): string {
    const cached = this.opened.get(sealed);
    if (cached !== undefined) return cached;
    const plaintext = this.decrypt(sealed);
    if (this.opened.size >= OPENED_CACHE_MAX) this.opened.clear();
    this.opened.set(sealed, plaintext);
    return plaintext;
  }

  /**
   * Opens a sealed value without keeping it in this process's cache: for values opened once each (a lead's data
   * key), which must not outlive their use in memory once erased.
   */
  openUncached(sealed: string): string {
    return this.decrypt(sealed);
  }

  sealNullable(plaintext: string | null): string | null {
    return plaintext === null ? null : this.seal(plaintext);
  }

  openNullable(sealed: string | null): string | null {
    return sealed === null ? null : this.open(sealed);
  }

  private decrypt(sealed: string): string {
    if (sealed.startsWith(V2)) {
      const separator = sealed.indexOf(':', V2.length);
      const keyId = sealed.slice(V2.length, separator);
      const key = this.keys.find((candidate) => candidate.id === keyId);
      if (!key || separator < 0) {
        throw new UnreadableSecretError(
          `sealed under an encryption key this process does not hold (key id ${keyId || '?'})`,
        );
      }
      return SecretBox.decryptWith(key.key, sealed.slice(separator + 1));
    }
    if (sealed.startsWith(V1)) {
      for (const { key } of this.keys) {
        try {
          return SecretBox.decryptWith(key, sealed.slice(V1.length));
        } catch {
          // try the next key
        }
      }
      throw new UnreadableSecretError('sealed under an encryption key this process does not hold');
    }
    throw new UnreadableSecretError('value is not sealed by SecretBox');
  }

  private static decryptWith(key: KeyObject, body: string): string {
    try {
      const raw = Buffer.from(body, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new UnreadableSecretError('sealed value is damaged or sealed under another key');
    }
  }
}
