import type { DataSource } from 'typeorm';
import { apiKeyMatches, mintApiKey } from '../crypto/api-key-secret.js';
import { v7 as uuidv7 } from 'uuid';

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  secret_hash: Buffer;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const KEY_FORMAT = /^lh_([a-z0-9]{10})_([A-Za-z0-9_-]{32,})$/;

function info(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Admin API keys (`lh_<prefix>_<secret>`), stored as SHA-256 hashes; the full key is returned only when made. */
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const { key, prefix, hash } = mintApiKey('');
    const [row]: ApiKeyRow[] = await this.dataSource.query(
      `INSERT INTO api_key (id, name, prefix, secret_hash) VALUES ($1, $2, $3, $4) RETURNING *`,
      [uuidv7(), name, prefix, hash],
    );
    return { key, info: info(row) };
  }

  /** Revokes the key and issues a new one with the same name. */
  async rotate(id: string): Promise<{ key: string; info: ApiKeyInfo } | null> {
    const existing = await this.findById(id);
    if (!existing || existing.revokedAt) return null;
    await this.revoke(id);
    return this.create(existing.name);
  }

  async revoke(id: string): Promise<boolean> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `WITH revoked AS (UPDATE api_key SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING 1)
       SELECT count(*)::int AS count FROM revoked`,
      [id],
    );
    return row.count === 1;
  }

  async findById(id: string): Promise<ApiKeyInfo | null> {
    const rows: ApiKeyRow[] = await this.dataSource.query(`SELECT * FROM api_key WHERE id = $1`, [id]);
    return rows[0] ? info(rows[0]) : null;
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows: ApiKeyRow[] = await this.dataSource.query(`SELECT * FROM api_key ORDER BY created_at`);
    return rows.map(info);
  }

  /** The key's info when it is valid and not revoked (constant-time hash comparison), else null. */
  async verify(key: string): Promise<ApiKeyInfo | null> {
    const match = KEY_FORMAT.exec(key);
    if (!match) return null;
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT * FROM api_key WHERE prefix = $1 AND revoked_at IS NULL`,
      [match[1]],
    );
    const row = rows[0];
    if (!row || !apiKeyMatches(row.secret_hash, key)) return null;
    await this.dataSource.query(`UPDATE api_key SET last_used_at = now() WHERE id = $1`, [row.id]);
    return info(row);
  }
}
