import { createSecretKey, type KeyObject } from 'node:crypto';

/** Keys kept at most; past it the cache starts over (a few thousand endpoints' secrets is the normal size). */
const MAX_KEYS = 10_000;

/**
 * HMAC keys as KeyObjects, made once per secret: `createHmac` with a Buffer or string builds a new key object on
 * every call, which showed up at ~4% of the dispatcher's CPU. Keyed by the secret's text, so a rotated secret is
 * simply another entry.
 */
export class HmacKeys {
  private readonly keys = new Map<string, KeyObject>();

  constructor(private readonly material: (secret: string) => Buffer) {}

  get(secret: string): KeyObject {
    let key = this.keys.get(secret);
    if (!key) {
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      key = createSecretKey(this.material(secret));
      this.keys.set(secret, key);
    }
    return key;
  }
}
