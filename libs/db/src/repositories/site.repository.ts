import { DataSource } from 'typeorm';
import { ZAPIER_ENDPOINT_NAME } from '@leadhooks/contracts';
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
  /** Days its leads are kept before the retention sweep erases them: 0 forever, null LEAD_RETENTION_DAYS. */
  retentionDays: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSite {
  hostname: string;
  name: string;
  webhookUrl: string | null;
  enabled: boolean;
  secret: string;
  retentionDays?: number | null;
}

export interface SitePatch {
  name?: string;
  /** null: back to the global default. */
  retentionDays?: number | null;
  webhookUrl?: string | null;
  enabled?: boolean;
}

/** A site row with its `zapier` endpoint's sealed settings, as SITE_SELECT returns it. */
export interface SealedSiteRow {
  id: string;
  hostname: string;
  name: string;
  zapier_webhook_url: string | null;
  zapier_enabled: boolean;
  zapier_secret: string | null;
  zapier_previous_secret: string | null;
  zapier_previous_secret_expires_at: Date | string | null;
  /** Absent where a statement does not read it (claims): null. */
  lead_retention_days?: number | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** A site with the settings of its `zapier` endpoint under the §10 names. */
const SITE_SELECT = `
  SELECT s.id, s.hostname, s.name, s.lead_retention_days, s.created_at, s.updated_at, e.url AS zapier_webhook_url,
         coalesce(e.enabled, false) AS zapier_enabled, e.secret AS zapier_secret,
         e.previous_secret AS zapier_previous_secret, e.previous_secret_expires_at AS zapier_previous_secret_expires_at
    FROM site s
    LEFT JOIN endpoint e ON e.site_id = s.id AND e.name = '${ZAPIER_ENDPOINT_NAME}' AND e.deleted_at IS NULL`;

/** Sites; their §10 `zapier` object is the endpoint named `zapier` (SPEC §11). */
export class SiteRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  /** A site and its `zapier` endpoint (the §10 hook), in one statement. */
  async create(site: NewSite): Promise<Site | 'hostname-taken'> {
    try {
      const [row]: SealedSiteRow[] = await this.dataSource.query(
        `WITH s AS (
           INSERT INTO site (id, hostname, name, lead_retention_days) VALUES ($1, $2, $3, $7) RETURNING *
         ), e AS (
           INSERT INTO endpoint (site_id, name, url, enabled, secret)
           SELECT id, '${ZAPIER_ENDPOINT_NAME}', $4, $5, $6 FROM s RETURNING *
         )
         SELECT s.id, s.hostname, s.name, s.lead_retention_days, s.created_at, s.updated_at,
                e.url AS zapier_webhook_url, e.enabled AS zapier_enabled, e.secret AS zapier_secret, e.previous_secret AS zapier_previous_secret,
                e.previous_secret_expires_at AS zapier_previous_secret_expires_at
           FROM s, e`,
        [
          uuidv7(),
          site.hostname.toLowerCase(),
          site.name,
          this.secretBox.sealNullable(site.webhookUrl),
          site.enabled,
          this.secretBox.seal(site.secret),
          site.retentionDays ?? null,
        ],
      );
      return this.open(row);
    } catch (error) {
      if (isUniqueViolation(error, 'site_hostname_key')) return 'hostname-taken';
      throw error;
    }
  }

  async findById(id: string): Promise<Site | null> {
    const rows: SealedSiteRow[] = await this.dataSource.query(`${SITE_SELECT} WHERE s.id = $1`, [id]);
    return rows[0] ? this.open(rows[0]) : null;
  }

  async findByHostname(hostname: string): Promise<Site | null> {
    const rows: SealedSiteRow[] = await this.dataSource.query(`${SITE_SELECT} WHERE s.hostname = $1`, [
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
    const rows: SealedSiteRow[] = await this.dataSource.query(`${SITE_SELECT} ORDER BY s.hostname`);
    return rows.map((row) => this.open(row));
  }

  /** Name on the site; the §10 `zapier` settings on its `zapier` endpoint; one transaction. */
  async update(id: string, patch: SitePatch): Promise<Site | null> {
    await this.dataSource.transaction(async (manager) => {
      const [, found]: [unknown, number] = await manager.query(
        `UPDATE site SET name = coalesce($2, name),
                lead_retention_days = CASE WHEN $3 THEN $4::int ELSE lead_retention_days END, updated_at = now()
          WHERE id = $1`,
        [id, patch.name ?? null, patch.retentionDays !== undefined, patch.retentionDays ?? null],
      );
      if (!found || (patch.webhookUrl === undefined && patch.enabled === undefined)) return;
      const sets: string[] = [];
      const values: unknown[] = [id];
      if (patch.webhookUrl !== undefined) {
        values.push(this.secretBox.sealNullable(patch.webhookUrl));
        sets.push(`url = $${values.length}`);
      }
      if (patch.enabled !== undefined) {
        values.push(patch.enabled);
        sets.push(`enabled = $${values.length}`);
      }
      await manager.query(
        `UPDATE endpoint SET ${sets.join(', ')}, updated_at = now()
          WHERE site_id = $1 AND name = '${ZAPIER_ENDPOINT_NAME}' AND deleted_at IS NULL`,
        values,
      );
    });
    return this.findById(id);
  }

  /**
   * Installs a new secret on the site's `zapier` endpoint and keeps the current one valid until `graceUntil`, in
   * one statement: two concurrent rotations cannot both read the same "current" secret and drop the other's new
   * one. The previous value moves as sealed, so even a secret this process cannot open keeps its grace.
   */
  async rotateSecret(id: string, newSecret: string, graceUntil: Date): Promise<Site | null> {
    await this.dataSource.query(
      `UPDATE endpoint SET previous_secret = secret, previous_secret_expires_at = $3, secret = $2, updated_at = now()
        WHERE site_id = $1 AND name = '${ZAPIER_ENDPOINT_NAME}' AND deleted_at IS NULL`,
      [id, this.secretBox.seal(newSecret), graceUntil],
    );
    return this.findById(id);
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
      retentionDays: row.lead_retention_days ?? null,
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
