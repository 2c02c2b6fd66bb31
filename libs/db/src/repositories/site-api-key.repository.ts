import type { DataSource } from 'typeorm';
import { apiKeyMatches, mintApiKey } from '../crypto/api-key-secret.js';
import { v7 as uuidv7 } from 'uuid';
import { isForeignKeyViolation } from './postgres-errors.js';

export interface SiteApiKeyInfo {
  id: string;
  siteId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface SiteApiKeyRow {
  id: string;
  site_id: string;
  name: string;
  prefix: string;
  secret_hash: Buffer;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Who a live site key is (`GET /v1/me`): the key's id and name, and its site. */
export interface SiteKeyIdentity {
  keyId: string;
  keyName: string;
  siteId: string;
  hostname: string;
  siteName: string;
}

/** What a site key looks like: `lh_site_<10-char prefix>_<secret>`. */
export const SITE_KEY_FORMAT = /^lh_site_([a-z0-9]{10})_([A-Za-z0-9_-]{32,})$/;

/** How often a key's `last_used_at` is written at most (a key used every second does not write every second). */
const LAST_USED_RESOLUTION = '1 minute';

function info(row: SiteApiKeyRow): SiteApiKeyInfo {
  return {
    id: row.id,
    siteId: row.site_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * Site API keys (SPEC §12): each acts for one site only. Stored as SHA-256 hashes; the full key is returned only
 * when made. Revocation takes effect on the next request (keys are verified against the table every time).
 */
export class SiteApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(
    siteId: string,
    name: string,
  ): Promise<{ key: string; info: SiteApiKeyInfo } | 'site-missing'> {
    const { key, prefix, hash } = mintApiKey('site_');
    try {
      const [row]: SiteApiKeyRow[] = await this.dataSource.query(
        `INSERT INTO site_api_key (id, site_id, name, prefix, secret_hash) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [uuidv7(), siteId, name, prefix, hash],
      );
      return { key, info: info(row) };
    } catch (error) {
      if (isForeignKeyViolation(error)) return 'site-missing';
      throw error;
    }
  }

  /** The site's keys, revoked ones included (newest first). */
  async list(siteId: string): Promise<SiteApiKeyInfo[]> {
    const rows: SiteApiKeyRow[] = await this.dataSource.query(
      `SELECT * FROM site_api_key WHERE site_id = $1 ORDER BY created_at DESC, id DESC`,
      [siteId],
    );
    return rows.map(info);
  }

  /** Revokes one of the site's keys; false when the site has no such key or it was revoked already. */
  async revoke(siteId: string, id: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE site_api_key SET revoked_at = now() WHERE id = $1 AND site_id = $2 AND revoked_at IS NULL`,
      [id, siteId],
    );
    return affected === 1;
  }

  /** The live key's name with its site's id, hostname and name; null when the key is revoked or unknown. */
  async findIdentity(keyId: string): Promise<SiteKeyIdentity | null> {
    const rows: Array<{ key_id: string; key_name: string; site_id: string; hostname: string; name: string }> =
      await this.dataSource.query(
        `SELECT k.id AS key_id, k.name AS key_name, s.id AS site_id, s.hostname, s.name
           FROM site_api_key k JOIN site s ON s.id = k.site_id
          WHERE k.id = $1 AND k.revoked_at IS NULL`,
        [keyId],
      );
    const row = rows[0];
    return row
      ? {
          keyId: row.key_id,
          keyName: row.key_name,
          siteId: row.site_id,
          hostname: row.hostname,
          siteName: row.name,
        }
      : null;
  }

  /** The key's info when it is a live site key (constant-time hash comparison), else null. */
  async verify(key: string): Promise<SiteApiKeyInfo | null> {
    const match = SITE_KEY_FORMAT.exec(key);
    if (!match) return null;
    const rows: SiteApiKeyRow[] = await this.dataSource.query(
      `SELECT * FROM site_api_key WHERE prefix = $1 AND revoked_at IS NULL`,
      [match[1]],
    );
    const row = rows[0];
    if (!row || !apiKeyMatches(row.secret_hash, key)) return null;
    await this.dataSource.query(
      `UPDATE site_api_key SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}')`,
      [row.id],
    );
    return info(row);
  }
}
