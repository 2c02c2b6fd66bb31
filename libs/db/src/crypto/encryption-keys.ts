import type { EnvReader } from '@leadhooks/config';
import { SecretBox } from './secret-box.js';

/** DATA_ENCRYPTION_KEY (seals everything new) and DATA_ENCRYPTION_PREVIOUS_KEYS (still open what they sealed). */
export interface EncryptionKeys {
  current: string;
  previous: string[];
}

/** Reads and checks the encryption keys: each 32 bytes, none a published example value. */
export function readEncryptionKeys(read: EnvReader): EncryptionKeys {
  const current = read.secret('DATA_ENCRYPTION_KEY', { minLength: 32 });
  if (current) read.parse('DATA_ENCRYPTION_KEY', current, (text) => SecretBox.parseKey(text));
  const previous = read.list('DATA_ENCRYPTION_PREVIOUS_KEYS', '');
  if (previous.length)
    read.parse('DATA_ENCRYPTION_PREVIOUS_KEYS', previous.join(','), (text) =>
      text.split(',').map((key) => SecretBox.parseKey(key.trim())),
    );
  return { current: current ?? '', previous };
}

export function secretBoxFor(keys: EncryptionKeys): SecretBox {
  return new SecretBox(keys.current, keys.previous);
}
