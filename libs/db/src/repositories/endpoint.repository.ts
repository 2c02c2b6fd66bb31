import type { DataSource, EntityManager } from 'typeorm';
import {
  type AuthMode,
  type EndpointKind,
  type EventType,
  type PayloadFormat,
  type SignaturePrefix,
  ZAPIER_ENDPOINT_NAME,
} from '@leadhooks/contracts';
import { SecretBox, UnreadableSecretError } from '../crypto/secret-box.js';
import { isForeignKeyViolation, isUniqueViolation } from './postgres-errors.js';

/** An endpoint with its sealed settings opened. Never log this object whole (URL, headers and secrets are credentials). */
export interface Endpoint {
  id: string;
  siteId: string;
  name: string;
  kind: EndpointKind;
  url: string | null;
  enabled: boolean;
  events: EventType[];
  auth: AuthMode;
  format: PayloadFormat;
  headers: Record<string, string>;
  /** null: the dispatcher's WEBHOOK_TIMEOUT_MS. */
  timeoutMs: number | null;
  /** null: the dispatcher's ENDPOINT_RATE_LIMIT default. */
  rateLimitPerSecond: number | null;
  secret: string | null;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  /** A two-step rotation's staged secret: sent once activated, or from `nextSecretActivatesAt` when set. */
  nextSecret: string | null;
  nextSecretActivatesAt: Date | null;
  description: string | null;
  /** JSONata source of the body when `format` is `custom`. */
  mapping: string | null;
  /** `hmac_sha256_hex` header prefix; null: `sha256=`. */
  signaturePrefix: SignaturePrefix | null;
  /** Attempts per retry cycle (1–6); null: 6. */
  maxAttempts: number | null;
  retryOn4xx: boolean;
  /** Why sealed settings could not be opened here (another encryption key), or null; unreadable values read as null. */
  problem: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface NewEndpoint {
  siteId: string;
  name: string;
  kind: EndpointKind;
  url: string | null;
  enabled: boolean;
  events: EventType[];
  auth: AuthMode;
  format: PayloadFormat;
  headers: Record<string, string>;
  timeoutMs: number | null;
  rateLimitPerSecond: number | null;
  secret: string;
  description?: string | null;
  mapping?: string | null;
  signaturePrefix?: SignaturePrefix | null;
  maxAttempts?: number | null;
  retryOn4xx?: boolean;
}

export type EndpointPatch = Partial<
  Pick<
    NewEndpoint,
    | 'name'
    | 'url'
    | 'enabled'
    | 'events'
    | 'auth'
    | 'format'
    | 'headers'
    | 'timeoutMs'
    | 'rateLimitPerSecond'
    | 'description'
    | 'mapping'
    | 'signaturePrefix'
    | 'maxAttempts'
    | 'retryOn4xx'
  >
>;

/** An endpoint row as SQL returns it (sealed columns still sealed); also selected by the delivery lock. */
export interface SealedEndpointRow {
  id: string;
  site_id: string;
  name: string;
  kind: EndpointKind;
  url: string | null;
  enabled: boolean;
  events: EventType[] | string;
  auth: AuthMode;
  format: PayloadFormat;
  headers: string | null;
  timeout_ms: number | null;
  rate_limit_per_second: number | null;
  secret: string | null;
  previous_secret: string | null;
  previous_secret_expires_at: Date | string | null;
  next_secret?: string | null;
  next_secret_activates_at?: Date | string | null;
  description?: string | null;
  mapping?: string | null;
  signature_prefix?: SignaturePrefix | null;
  max_attempts?: number | null;
  retry_on_4xx?: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  deleted_at: Date | string | null;
}

const SEALED_COLUMNS = ['url', 'headers', 'secret', 'previous_secret', 'next_secret'] as const;

/** Opened endpoints kept in memory, at most (then the cache starts over). */
const OPENED_CACHE_MAX = 10_000;

interface OpenedSecrets {
  url: string | null;
  headers: Record<string, string>;
  secret: string | null;
  previousSecret: string | null;
  nextSecret: string | null;
  problem: string | null;
}

/** Endpoints of sites, with their sealed settings. Deleting marks the row; deliveries keep pointing at it. */
export class EndpointRepository {
  private readonly opened = new Map<string, OpenedSecrets>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  async create(
    endpoint: NewEndpoint,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Endpoint | 'name-taken' | 'site-missing'> {
    try {
      const [row]: SealedEndpointRow[] = await manager.query(
        `INSERT INTO endpoint (site_id, name, kind, url, enabled, events, auth, format, headers, timeout_ms,
                               rate_limit_per_second, secret, description, mapping, signature_prefix, max_attempts,
                               retry_on_4xx)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
        [
          ...this.insertValues(endpoint),
          endpoint.description ?? null,
          endpoint.mapping ?? null,
          endpoint.signaturePrefix ?? null,
          endpoint.maxAttempts ?? null,
          endpoint.retryOn4xx ?? true,
        ],
      );
      return this.open(row);
    } catch (error) {
      if (isUniqueViolation(error, 'endpoint_site_name')) return 'name-taken';
      if (isForeignKeyViolation(error)) return 'site-missing';
      throw error;
    }
  }

  /**
   * Creates the endpoint only while the site has fewer than `limit` live endpoints of its kind (REST hook
   * subscriptions per site). The bound is in the INSERT itself, and the site row is locked first (FOR NO KEY UPDATE:
   * intake's foreign-key checks are not blocked), so concurrent creates of one site take turns and each INSERT's
   * count sees the ones committed before it: concurrent subscribes can never pass the limit.
   */
  async createWithinLimit(
    endpoint: NewEndpoint,
    limit: number,
  ): Promise<Endpoint | 'name-taken' | 'site-missing' | 'limit-reached'> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const site: unknown[] = await manager.query(`SELECT 1 FROM site WHERE id = $1 FOR NO KEY UPDATE`, [
          endpoint.siteId,
        ]);
        if (!site.length) return 'site-missing' as const;
        const rows: SealedEndpointRow[] = await manager.query(
          `INSERT INTO endpoint (site_id, name, kind, url, enabled, events, auth, format, headers, timeout_ms,
                                 rate_limit_per_second, secret)
           SELECT $1::uuid, $2::text, $3::text, $4::text, $5::boolean, $6::text[], $7::text, $8::text, $9::text,
                  $10::int, $11::int, $12::text
            WHERE (SELECT count(*) FROM endpoint
                    WHERE site_id = $1::uuid AND kind = $3::text AND deleted_at IS NULL) < $13::int
           RETURNING *`,
          [...this.insertValues(endpoint), limit],
        );
        return rows[0] ? this.open(rows[0]) : ('limit-reached' as const);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'endpoint_site_name')) return 'name-taken';
      if (isForeignKeyViolation(error)) return 'site-missing';
      throw error;
    }
  }

  /** A live endpoint (not deleted), or null. */
  async findById(id: string): Promise<Endpoint | null> {
    const rows: SealedEndpointRow[] = await this.dataSource.query(
      `SELECT * FROM endpoint WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    return rows[0] ? this.open(rows[0]) : null;
  }

  /** An endpoint whether live or deleted (a REST hook Zapier unsubscribes after a 410 removed it), or null. */
  async findIncludingDeleted(id: string): Promise<Endpoint | null> {
    const rows: SealedEndpointRow[] = await this.dataSource.query(`SELECT * FROM endpoint WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? this.open(rows[0]) : null;
  }

  /** The site's live endpoints, oldest first (the `zapier` one is created with the site). */
  async listBySite(siteId: string): Promise<Endpoint[]> {
    const rows: SealedEndpointRow[] = await this.dataSource.query(
      `SELECT * FROM endpoint WHERE site_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
      [siteId],
    );
    return rows.map((row) => this.open(row));
  }

  /** Names of endpoints by id, deleted ones included (the delivery log names where each delivery went). */
  async names(ids: string[]): Promise<Map<string, { name: string; siteId: string; deleted: boolean }>> {
    if (!ids.length) return new Map();
    const rows: Array<{ id: string; name: string; site_id: string; deleted: boolean }> =
      await this.dataSource.query(
        `SELECT id, name, site_id, deleted_at IS NOT NULL AS deleted FROM endpoint WHERE id = ANY($1::uuid[])`,
        [ids],
      );
    return new Map(
      rows.map((row) => [row.id, { name: row.name, siteId: row.site_id, deleted: row.deleted }]),
    );
  }

  async update(id: string, patch: EndpointPatch): Promise<Endpoint | null | 'name-taken'> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.url !== undefined) set('url', this.secretBox.sealNullable(patch.url));
    if (patch.enabled !== undefined) set('enabled', patch.enabled);
    if (patch.events !== undefined) set('events', patch.events);
    if (patch.auth !== undefined) set('auth', patch.auth);
    if (patch.format !== undefined) set('format', patch.format);
    if (patch.headers !== undefined) set('headers', this.sealHeaders(patch.headers));
    if (patch.timeoutMs !== undefined) set('timeout_ms', patch.timeoutMs);
    if (patch.rateLimitPerSecond !== undefined) set('rate_limit_per_second', patch.rateLimitPerSecond);
    if (patch.description !== undefined) set('description', patch.description);
    if (patch.mapping !== undefined) set('mapping', patch.mapping);
    if (patch.signaturePrefix !== undefined) set('signature_prefix', patch.signaturePrefix);
    if (patch.maxAttempts !== undefined) set('max_attempts', patch.maxAttempts);
    if (patch.retryOn4xx !== undefined) set('retry_on_4xx', patch.retryOn4xx);
    if (!sets.length) return this.findById(id);
    try {
      const [rows]: [SealedEndpointRow[], number] = await this.dataSource.query(
        // FOR UPDATE first: a delivery claim in progress (it holds the endpoint FOR KEY SHARE) finishes before this
        // answers, and every claim after it sees the change (docs/isolation.md).
        `UPDATE endpoint SET ${sets.join(', ')}, updated_at = now()
          WHERE id = (SELECT id FROM endpoint WHERE id = $1 AND deleted_at IS NULL FOR UPDATE) RETURNING *`,
        values,
      );
      return rows[0] ? this.open(rows[0]) : null;
    } catch (error) {
      if (isUniqueViolation(error, 'endpoint_site_name')) return 'name-taken';
      throw error;
    }
  }

  /**
   * Installs a new secret and keeps the current one valid until `graceUntil`, in one statement (two concurrent
   * rotations cannot drop each other's secret); the previous value moves sealed, so it keeps its grace even when
   * this process cannot open it.
   */
  async rotateSecret(id: string, newSecret: string, graceUntil: Date): Promise<Endpoint | null> {
    const [rows]: [SealedEndpointRow[], number] = await this.dataSource.query(
      `UPDATE endpoint SET previous_secret = secret, previous_secret_expires_at = $3, secret = $2, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING *`,
      [id, this.secretBox.seal(newSecret), graceUntil],
    );
    return rows[0] ? this.open(rows[0]) : null;
  }

  /**
   * Stages a new secret (two-step rotation, SPEC §14: `secret_header`, `hmac_sha256_hex`): the current secret stays
   * the one sent until `activateSecret`, or until `activatesAt` when given. A second staging replaces the first.
   */
  async stageSecret(id: string, newSecret: string, activatesAt: Date | null): Promise<Endpoint | null> {
    const [rows]: [SealedEndpointRow[], number] = await this.dataSource.query(
      `UPDATE endpoint SET next_secret = $2, next_secret_activates_at = $3, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING *`,
      [id, this.secretBox.seal(newSecret), activatesAt],
    );
    return rows[0] ? this.open(rows[0]) : null;
  }

  /**
   * Makes the staged secret the one sent, in one statement; the replaced one stays as the previous secret until
   * `graceUntil` (Standard Webhooks signs with both meanwhile). 'nothing-staged' when no rotation waits.
   */
  async activateSecret(id: string, graceUntil: Date): Promise<Endpoint | null | 'nothing-staged'> {
    const [rows]: [SealedEndpointRow[], number] = await this.dataSource.query(
      `UPDATE endpoint SET previous_secret = secret, previous_secret_expires_at = $2, secret = next_secret,
                           next_secret = NULL, next_secret_activates_at = NULL, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND next_secret IS NOT NULL RETURNING *`,
      [id, graceUntil],
    );
    if (rows[0]) return this.open(rows[0]);
    return (await this.findById(id)) ? 'nothing-staged' : null;
  }

  /** Marks the endpoint deleted: nothing more is sent to it (its pending deliveries end SKIPPED); history stays. */
  async delete(id: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE endpoint SET deleted_at = now(), enabled = false, updated_at = now()
        WHERE id = (SELECT id FROM endpoint WHERE id = $1 AND deleted_at IS NULL FOR UPDATE)`,
      [id],
    );
    return affected === 1;
  }

  /** Sealed values not sealed under the current key, re-sealed under it (`npm run reseal`). */
  async reseal(): Promise<{
    resealed: number;
    current: number;
    unreadable: Array<{ id: string; name: string; siteId: string; problem: string }>;
  }> {
    const rows: SealedEndpointRow[] = await this.dataSource.query(
      `SELECT * FROM endpoint WHERE deleted_at IS NULL ORDER BY site_id, name`,
    );
    const outcome = {
      resealed: 0,
      current: 0,
      unreadable: [] as Array<{ id: string; name: string; siteId: string; problem: string }>,
    };
    for (const row of rows) {
      try {
        const moved = SEALED_COLUMNS.filter(
          (column) => typeof row[column] === 'string' && !this.secretBox.isCurrent(row[column]),
        );
        if (!moved.length) {
          outcome.current++;
          continue;
        }
        const values = moved.map((column) => this.secretBox.seal(this.secretBox.open(row[column] as string)));
        const sets = moved.map((column, index) => `${column} = $${index + 2}`).join(', ');
        // Guarded by the sealed values read, so a concurrent admin change is never overwritten.
        const guards = moved.map((column, index) => `${column} = $${index + 2 + moved.length}`).join(' AND ');
        await this.dataSource.query(`UPDATE endpoint SET ${sets} WHERE id = $1 AND ${guards}`, [
          row.id,
          ...values,
          ...moved.map((column) => row[column]),
        ]);
        outcome.resealed++;
      } catch (error) {
        if (!(error instanceof UnreadableSecretError)) throw error;
        outcome.unreadable.push({ id: row.id, name: row.name, siteId: row.site_id, problem: error.message });
      }
    }
    return outcome;
  }

  /**
   * Opens a sealed row. A value that cannot be opened reads as null (headers: none) and is named in `problem`.
   * Opened values are kept by their ciphertexts (bounded), so the delivery path does not decrypt the same endpoint
   * for every delivery; a changed setting has a new ciphertext and is opened afresh.
   */
  open(row: SealedEndpointRow): Endpoint {
    const key = `${row.url}|${row.secret}|${row.previous_secret}|${row.headers}|${row.next_secret ?? ''}`;
    let sealed = this.opened.get(key);
    if (!sealed) {
      sealed = this.openSealed(row);
      if (this.opened.size >= OPENED_CACHE_MAX) this.opened.clear();
      this.opened.set(key, sealed);
    }
    return {
      id: row.id,
      siteId: row.site_id,
      name: row.name,
      kind: row.kind,
      url: sealed.url,
      enabled: row.enabled,
      events: parseTextArray(row.events) as EventType[],
      auth: row.auth,
      format: row.format,
      headers: { ...sealed.headers },
      timeoutMs: row.timeout_ms,
      rateLimitPerSecond: row.rate_limit_per_second,
      secret: sealed.secret,
      previousSecret: sealed.previousSecret,
      previousSecretExpiresAt: toDate(row.previous_secret_expires_at),
      nextSecret: sealed.nextSecret,
      nextSecretActivatesAt: toDate(row.next_secret_activates_at ?? null),
      description: row.description ?? null,
      mapping: row.mapping ?? null,
      signaturePrefix: row.signature_prefix ?? null,
      maxAttempts: row.max_attempts ?? null,
      retryOn4xx: row.retry_on_4xx ?? true,
      problem: sealed.problem,
      createdAt: toDate(row.created_at) as Date,
      updatedAt: toDate(row.updated_at) as Date,
      deletedAt: toDate(row.deleted_at),
    };
  }

  private openSealed(row: SealedEndpointRow): OpenedSecrets {
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
    const headersJson = openField(row.headers, 'the custom headers are');
    const opened = {
      url: openField(row.url, 'the URL is'),
      headers: headersJson ? (JSON.parse(headersJson) as Record<string, string>) : {},
      secret: openField(row.secret, 'the signing secret is'),
      // A previous secret that cannot be opened only shortens its grace; it does not make the endpoint unusable.
      previousSecret: openField(row.previous_secret, ''),
      // A staged secret that cannot be opened only cannot be activated here; what is sent now is unaffected.
      nextSecret: openField(row.next_secret ?? null, ''),
    };
    return { ...opened, problem: problems.length ? problems.join('; ') : null };
  }

  /** $1…$12 of an endpoint INSERT, sealed where sealed at rest. */
  private insertValues(endpoint: NewEndpoint): unknown[] {
    return [
      endpoint.siteId,
      endpoint.name,
      endpoint.kind,
      this.secretBox.sealNullable(endpoint.url),
      endpoint.enabled,
      endpoint.events,
      endpoint.auth,
      endpoint.format,
      this.sealHeaders(endpoint.headers),
      endpoint.timeoutMs,
      endpoint.rateLimitPerSecond,
      this.secretBox.seal(endpoint.secret),
    ];
  }

  private sealHeaders(headers: Record<string, string>): string | null {
    return Object.keys(headers).length ? this.secretBox.seal(JSON.stringify(headers)) : null;
  }
}

/** Whether an endpoint is the site's `zapier` one (its lead.created delivery is mirrored on the lead). */
export function isZapierEndpoint(endpoint: Pick<Endpoint, 'name' | 'kind'>): boolean {
  return endpoint.name === ZAPIER_ENDPOINT_NAME && endpoint.kind === 'manual';
}

/** node-postgres returns text[] as an array; through to_jsonb or a driver without array parsing, as `{a,b}`. */
function parseTextArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((item) => item.replace(/^"|"$/g, '')) : [];
}

function toDate(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}
