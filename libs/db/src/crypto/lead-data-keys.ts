import { newLeadDataKey } from '@leadhooks/contracts';
import type { SecretBox } from './secret-box.js';

/** A lead's data key, fresh, with its sealed form as `lead_key.sealed_key` stores it. */
export interface NewDataKey {
  key: Buffer;
  sealed: string;
}

/**
 * Each lead's data key (docs/privacy.md), sealed at rest with the same key and rotation as the credentials
 * (DATA_ENCRYPTION_KEY, `npm run reseal`): a copy of the database alone opens no event.
 */
export class LeadDataKeys {
  constructor(private readonly box: SecretBox) {}

  create(): NewDataKey {
    const key = newLeadDataKey();
    return { key, sealed: this.box.seal(key.toString('base64')) };
  }

  /** The key of a sealed `lead_key.sealed_key` (null: destroyed by an erasure). Throws when it cannot be opened. */
  open(sealed: string | null): Buffer | null {
    return sealed === null ? null : Buffer.from(this.box.openUncached(sealed), 'base64');
  }
}
