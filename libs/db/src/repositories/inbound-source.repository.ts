import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { inboundTokenHash, mintInboundToken } from '../crypto/inbound-token.js';
import { type SecretBox, UnreadableSecretError } from '../crypto/secret-box.js';
import { isForeignKeyViolation, isUniqueViolation } from './postgres-errors.js';

/** A source with its secret opened. Never log this object whole (the secret is a credential). */
export interface InboundSource {
  id: string;
  siteId: string;
  name: string;
  preset: string | null;
  mapping: string;
  signature: string;
  secret: string | null;
  /** Why the secret could not be opened here (another encryption key), or null. */
  problem: string | null;
  tokenHint: string;
  tokenRotatedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewInboundSource {
  siteId: string;
  name: string;
  preset: string | null;
  mapping: string;
  signature: string;
  secret: string | null;
}

/** `secret: null` removes the secret; an absent key leaves the value as it is. */
export type InboundSourcePatch = Partial<
  Pick<NewInboundSource, 'name' | 'preset' | 'mapping' | 'signature' | 'secret'>
>;

interface SourceRow {
  id: string;
  site_id: string;
  name: string;
  preset: string | null;
  mapping: string;
  signature: string;
  secret: string | null;
  token_hint: string;
  token_rotated_at: Date;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, site_id, name, preset, mapping, signature, secret, token_hint, token_rotated_at, created_at, updated_at`;
const QUALIFIED_COLUMNS = COLUMNS.split(', ')
  .map((column) => `i.${column}`)
  .join(', ');

/**
 * Inbound sources of sites. The token is never stored: only its SHA-256 (a source is found by it) and a hint; it is
 * returned in full only by `create` and `rotateToken`. The signing secret is stored sealed.
 */
export class InboundSourceRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  async create(
    source: NewInboundSource,
  ): Promise<{ source: InboundSource; token: string } | 'name-taken' | 'site-missing'> {
    const { token, hash, hint } = mintInboundToken();
    try {
      const [row]: SourceRow[] = await this.dataSource.query(
        `INSERT INTO inbound_source (id, site_id, name, preset, mapping, signature, secret, token_hash, token_hint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          uuidv7(),
          source.siteId,
          source.name,
          source.preset,
          source.mapping,
          source.signature,
          this.secretBox.sealNullable(source.secret),
          hash,
          hint,
        ],
      );
      return { source: this.open(row), token };
    } catch (error) {
      if (isUniqueViolation(error, 'inbound_source_site_name')) return 'name-taken';
      if (isForeignKeyViolation(error)) return 'site-missing';
      throw error;
    }
  }

  async findById(id: string): Promise<InboundSource | null> {
    const rows: SourceRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM inbound_source WHERE id = $1`,
      [id],
    );
    return rows[0] ? this.open(rows[0]) : null;
  }

  /**
   * The source a token belongs to, with its site's hostname, found by the token's hash (the token itself is
   * nowhere to compare against, and the lookup by hash leaks nothing about other tokens).
   */
  async findByToken(token: string): Promise<(InboundSource & { siteHostname: string }) | null> {
    const rows: Array<SourceRow & { site_hostname: string }> = await this.dataSource.query(
      `SELECT ${QUALIFIED_COLUMNS}, s.hostname AS site_hostname
         FROM inbound_source i JOIN site s ON s.id = i.site_id
        WHERE i.token_hash = $1`,
      [inboundTokenHash(token)],
    );
    return rows[0] ? { ...this.open(rows[0]), siteHostname: rows[0].site_hostname } : null;
  }

  async listBySite(siteId: string): Promise<InboundSource[]> {
    const rows: SourceRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM inbound_source WHERE site_id = $1 ORDER BY created_at, id`,
      [siteId],
    );
    return rows.map((row) => this.open(row));
  }

  async update(id: string, patch: InboundSourcePatch): Promise<InboundSource | null | 'name-taken'> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.preset !== undefined) set('preset', patch.preset);
    if (patch.mapping !== undefined) set('mapping', patch.mapping);
    if (patch.signature !== undefined) set('signature', patch.signature);
    if (patch.secret !== undefined) set('secret', this.secretBox.sealNullable(patch.secret));
    if (!sets.length) return this.findById(id);
    try {
      const [rows]: [SourceRow[], number] = await this.dataSource.query(
        `UPDATE inbound_source SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        values,
      );
      return rows[0] ? this.open(rows[0]) : null;
    } catch (error) {
      if (isUniqueViolation(error, 'inbound_source_site_name')) return 'name-taken';
      throw error;
    }
  }

  /** Deletes a source and its request log; its URL stops at once. False when there is no such source. */
  async delete(id: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM inbound_source WHERE id = $1`,
      [id],
    );
    return affected === 1;
  }

  /** A new token (returned once); the previous one stops working at once. */
  async rotateToken(id: string): Promise<{ source: InboundSource; token: string } | null> {
    const { token, hash, hint } = mintInboundToken();
    const [rows]: [SourceRow[], number] = await this.dataSource.query(
      `UPDATE inbound_source SET token_hash = $2, token_hint = $3, token_rotated_at = now(), updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, hash, hint],
    );
    return rows[0] ? { source: this.open(rows[0]), token } : null;
  }

  /** Re-seals every source secret under the current key (`npm run reseal`, after a key rotation). */
  async reseal(): Promise<{
    resealed: number;
    current: number;
    unreadable: Array<{ id: string; name: string; siteId: string; problem: string }>;
  }> {
    const rows: Array<{ id: string; name: string; site_id: string; secret: string }> =
      await this.dataSource.query(
        `SELECT id, name, site_id, secret FROM inbound_source WHERE secret IS NOT NULL ORDER BY site_id, name`,
      );
    const outcome = {
      resealed: 0,
      current: 0,
      unreadable: [] as Array<{ id: string; name: string; siteId: string; problem: string }>,
    };
    for (const row of rows) {
      if (this.secretBox.isCurrent(row.secret)) {
        outcome.current++;
        continue;
      }
      try {
        const resealed = this.secretBox.seal(this.secretBox.open(row.secret));
        // Guarded by the sealed value read, so a concurrent admin change is never overwritten.
        await this.dataSource.query(`UPDATE inbound_source SET secret = $2 WHERE id = $1 AND secret = $3`, [
          row.id,
          resealed,
          row.secret,
        ]);
        outcome.resealed++;
      } catch (error) {
        if (!(error instanceof UnreadableSecretError)) throw error;
        outcome.unreadable.push({ id: row.id, name: row.name, siteId: row.site_id, problem: error.message });
      }
    }
    return outcome;
  }

  private open(row: SourceRow): InboundSource {
    let secret: string | null = null;
    let problem: string | null = null;
    try {
      secret = this.secretBox.openNullable(row.secret);
    } catch (error) {
      if (!(error instanceof UnreadableSecretError)) throw error;
      problem = `secret: ${error.message}`;
    }
    return {
      id: row.id,
      siteId: row.site_id,
      name: row.name,
      preset: row.preset,
      mapping: row.mapping,
      signature: row.signature,
      secret,
      problem,
      tokenHint: row.token_hint,
      tokenRotatedAt: new Date(row.token_rotated_at),
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }
}
