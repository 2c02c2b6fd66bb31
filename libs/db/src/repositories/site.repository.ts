import { DataSource } from 'typeorm';
import { SecretBox, UnreadableSecretError } from '../crypto/secret-box.js';
import { SiteEntity } from '../entities/index.js';
import { v7 as uuidv7 } from 'uuid';
import { isForeignKeyViolation, isUniqueViolation } from './postgres-errors.js';

/** A site with its integration settings opened (decrypted). Never log this object whole. */
export interface Site {
  id: string;
  hostname: string;
  name: string;
  zapier: {
    webhookUrl: string | null;
    enabled: boolean;
    secret: string | null;
    previousSecret: string | null;
    previousSecretExpiresAt: Date | null;
  };
  /**
   * Why the sealed settings could not be opened here (e.g. sealed under an encryption key this process does not
   * hold), or null. Such a site is still listed and editable; its unreadable values read as null.
   */
  problem: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSite {
  hostname: string;
  name: string;
  webhookUrl: string | null;
  enabled: boolean;
  secret: string;
}

export interface SitePatch {
  name?: string;
  webhookUrl?: string | null;
  enabled?: boolean;
}

/** The sealed columns of a site row as SQL returns them (also selected by the lead lock). */
export interface SealedSiteRow {
  id: string;
  hostname: string;
  name: string;
  zapier_webhook_url: string | null;
  zapier_enabled: boolean;
  zapier_secret: string | null;
  zapier_previous_secret: string | null;
  zapier_previous_secret_expires_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Sites and their sealed integration settings. */
export class SiteRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  async create(site: NewSite): Promise<Site | 'hostname-taken'> {
    try {
      const [row]: SealedSiteRow[] = await this.dataSource.query(
        `INSERT INTO site (id, hostname, name, zapier_webhook_url, zapier_enabled, zapier_secret)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          uuidv7(),
          site.hostname.toLowerCase(),
          site.name,
          this.secretBox.sealNullable(site.webhookUrl),
          site.enabled,
          this.secretBox.seal(site.secret),
        ],
      );
      return this.open(row);
    } catch (error) {
      if (isUniqueViolation(error, 'site_hostname_key')) return 'hostname-taken';
      throw error;
    }
  }

  async findById(id: string): Promise<Site | null> {
    const rows: SealedSiteRow[] = await this.dataSource.query(`SELECT * FROM site WHERE id = $1`, [id]);
    return rows[0] ? this.open(rows[0]) : null;
  }

  async findByHostname(hostname: string): Promise<Site | null> {
    const rows: SealedSiteRow[] = await this.dataSource.query(`SELECT * FROM site WHERE hostname = $1`, [
      hostname.toLowerCase(),
    ]);
    return rows[0] ? this.open(rows[0]) : null;
  }

  /** The id of the site with this hostname (intake needs nothing else, and nothing sealed). */
  async findIdByHostname(hostname: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM site WHERE hostname = $1`,
      [hostname.toLowerCase()],
    );
    return rows[0]?.id ?? null;
  }

  async list(): Promise<Site[]> {
    const rows: SealedSiteRow[] = await this.dataSource.query(`SELECT * FROM site ORDER BY hostname`);
    return rows.map((row) => this.open(row));
  }

  async update(id: string, patch: SitePatch): Promise<Site | null> {
    const changes: Partial<SiteEntity> = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.webhookUrl !== undefined)
      changes.zapierWebhookUrlSealed = this.secretBox.sealNullable(patch.webhookUrl);
    if (patch.enabled !== undefined) changes.zapierEnabled = patch.enabled;
    if (Object.keys(changes).length) await this.dataSource.getRepository(SiteEntity).update({ id }, changes);
    return this.findById(id);
  }

  /**
   * Installs a new secret and keeps the current one valid until `graceUntil`, in one statement: two concurrent
   * rotations cannot both read the same "current" secret and drop the other's new one. The previous value moves
   * as sealed, so even a secret this process cannot open keeps its grace.
   */
  async rotateSecret(id: string, newSecret: string, graceUntil: Date): Promise<Site | null> {
    const [rows]: [SealedSiteRow[], number] = await this.dataSource.query(
      `UPDATE site SET zapier_previous_secret = zapier_secret, zapier_previous_secret_expires_at = $3,
                       zapier_secret = $2, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, this.secretBox.seal(newSecret), graceUntil],
    );
    return rows[0] ? this.open(rows[0]) : null;
  }

  async delete(id: string): Promise<'deleted' | 'missing' | 'has-leads'> {
    try {
      const result = await this.dataSource.getRepository(SiteEntity).delete({ id });
      return (result.affected ?? 0) > 0 ? 'deleted' : 'missing';
    } catch (error) {
      if (isForeignKeyViolation(error)) return 'has-leads';
      throw error;
    }
  }

  /** Sealed values not sealed under the current key, re-sealed under it (`npm run reseal`). */
  async reseal(): Promise<{
    resealed: number;
    current: number;
    unreadable: Array<{ id: string; hostname: string; problem: string }>;
  }> {
    const rows: SealedSiteRow[] = await this.dataSource.query(`SELECT * FROM site ORDER BY hostname`);
    const outcome = {
      resealed: 0,
      current: 0,
      unreadable: [] as Array<{ id: string; hostname: string; problem: string }>,
    };
    for (const row of rows) {
      const columns = ['zapier_webhook_url', 'zapier_secret', 'zapier_previous_secret'] as const;
      try {
        const moved = columns.filter(
          (column) => row[column] !== null && !this.secretBox.isCurrent(row[column]),
        );
        if (!moved.length) {
          outcome.current++;
          continue;
        }
        const values = moved.map((column) => this.secretBox.seal(this.secretBox.open(row[column] as string)));
        const sets = moved.map((column, index) => `${column} = $${index + 2}`).join(', ');
        // Guarded by the sealed values read, so a concurrent admin change is never overwritten.
        const guards = moved.map((column, index) => `${column} = $${index + 2 + moved.length}`).join(' AND ');
        await this.dataSource.query(`UPDATE site SET ${sets} WHERE id = $1 AND ${guards}`, [
          row.id,
          ...values,
          ...moved.map((c) => row[c]),
        ]);
        outcome.resealed++;
      } catch (error) {
        if (!(error instanceof UnreadableSecretError)) throw error;
        outcome.unreadable.push({ id: row.id, hostname: row.hostname, problem: error.message });
      }
    }
    return outcome;
  }

  /** Opens a sealed site row. A value that cannot be opened reads as null and is named in `problem`. */
  open(row: SealedSiteRow): Site {
    const problems: string[] = [];
    const openField = (sealed: string | null, label: string): string | null => {
      try {
        return this.secretBox.openNullable(sealed);
      } catch (error) {
        if (!(error instanceof UnreadableSecretError)) throw error;
        if (label) problems.push(`${label} ${error.message}`);
        return null;
      }
    };
    const site: Site = {
      id: row.id,
      hostname: row.hostname,
      name: row.name,
      zapier: {
        webhookUrl: openField(row.zapier_webhook_url, 'the webhook URL is'),
        enabled: row.zapier_enabled,
        secret: openField(row.zapier_secret, 'the signing secret is'),
        // A previous secret that cannot be opened only shortens its grace; it does not make the site unusable.
        previousSecret: openField(row.zapier_previous_secret, ''),
        previousSecretExpiresAt: toDate(row.zapier_previous_secret_expires_at),
      },
      problem: null,
      createdAt: toDate(row.created_at) as Date,
      updatedAt: toDate(row.updated_at) as Date,
    };
    site.problem = problems.length ? problems.join('; ') : null;
    return site;
  }
}

function toDate(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}
