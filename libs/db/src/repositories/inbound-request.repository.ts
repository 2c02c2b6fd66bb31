import type { DataSource } from 'typeorm';
import { GroupCommit, type GroupCommitOptions } from '../batching/group-commit.js';
import { poolQuery, type PoolQuery } from '../batching/pool-query.js';

/** A line of the inbound request log, ready to store (text already made storable by the caller). */
export interface NewInboundRequest {
  id: string;
  sourceId: string;
  receivedAt: Date;
  status: number;
  leadId: string | null;
  replayed: boolean;
  error: string | null;
  errors: Array<{ field: string; message: string }> | null;
  contentType: string | null;
  sizeBytes: number;
  durationMs: number | null;
  headers: unknown;
  query: unknown;
  body: string | null;
  bodyFormat: 'json' | 'raw' | null;
  bodyTruncated: boolean;
}

export interface InboundRequestView extends NewInboundRequest {
  /** `received_at` to the microsecond, for keyset cursors. */
  cursorAt: string;
}

interface RequestRow {
  id: string;
  source_id: string;
  received_at: Date;
  cursor_at: string;
  status: number;
  lead_id: string | null;
  replayed: boolean;
  error: string | null;
  errors: Array<{ field: string; message: string }> | null;
  content_type: string | null;
  size_bytes: number;
  duration_ms: number | null;
  headers: unknown;
  query: unknown;
  body: string | null;
  body_format: 'json' | 'raw' | null;
  body_truncated: boolean;
}

const SELECT = `SELECT r.*, to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
  FROM inbound_request r`;

function view(row: RequestRow): InboundRequestView {
  return {
    id: row.id,
    sourceId: row.source_id,
    receivedAt: new Date(row.received_at),
    cursorAt: row.cursor_at,
    status: row.status,
    leadId: row.lead_id,
    replayed: row.replayed,
    error: row.error,
    errors: row.errors,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    durationMs: row.duration_ms,
    headers: row.headers,
    query: row.query,
    body: row.body,
    bodyFormat: row.body_format,
    bodyTruncated: row.body_truncated,
  };
}

/**
 * The inbound request log (SPEC §14). Lines are group-committed: the lines recorded in one turn of the event loop
 * go in one statement, off the request's path (the caller does not wait for them). A line for a source deleted
 * meanwhile is dropped, not an error.
 */
export class InboundRequestRepository {
  private readonly writes: GroupCommit<NewInboundRequest, null>;
  private readonly hotQuery: PoolQuery;

  constructor(
    private readonly dataSource: DataSource,
    batching: GroupCommitOptions = { concurrency: 2, maxBatch: 100 },
  ) {
    this.hotQuery = poolQuery(dataSource);
    this.writes = new GroupCommit(async (lines) => {
      await this.insertBatch(lines);
      return lines.map(() => null);
    }, batching);
  }

  /** Stores a line (with others recorded at the same time); resolves once committed. */
  record(line: NewInboundRequest): Promise<null> {
    return this.writes.submit(line);
  }

  /** A source's log, newest first, after a cursor position. */
  async list(
    sourceId: string,
    after: { at: string; id: string } | undefined,
    limit: number,
  ): Promise<InboundRequestView[]> {
    const values: unknown[] = [sourceId];
    let keyset = '';
    if (after) {
      values.push(after.at, after.id);
      keyset = 'AND (r.received_at, r.id) < ($2::timestamptz, $3::uuid)';
    }
    values.push(limit);
    const rows: RequestRow[] = await this.dataSource.query(
      `${SELECT} WHERE r.source_id = $1 ${keyset} ORDER BY r.received_at DESC, r.id DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(view);
  }

  async findById(sourceId: string, id: string): Promise<InboundRequestView | null> {
    const rows: RequestRow[] = await this.dataSource.query(`${SELECT} WHERE r.source_id = $1 AND r.id = $2`, [
      sourceId,
      id,
    ]);
    return rows[0] ? view(rows[0]) : null;
  }

  /** The newest request whose body was read (what a mapping preview runs on), or null. */
  async latestReadable(sourceId: string): Promise<InboundRequestView | null> {
    const rows: RequestRow[] = await this.dataSource.query(
      `${SELECT} WHERE r.source_id = $1 AND r.body_format = 'json' ORDER BY r.received_at DESC, r.id DESC LIMIT 1`,
      [sourceId],
    );
    return rows[0] ? view(rows[0]) : null;
  }

  /** Deletes up to `batch` lines received before `before`; returns how many went (call until it returns < batch). */
  async prune(before: Date, batch: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM inbound_request WHERE id IN (
         SELECT id FROM inbound_request WHERE received_at < $1 ORDER BY received_at LIMIT $2)`,
      [before, batch],
    );
    return deleted;
  }

  private async insertBatch(lines: NewInboundRequest[]): Promise<void> {
    const rows = lines.map((line) => ({
      id: line.id,
      source_id: line.sourceId,
      received_at: line.receivedAt.toISOString(),
      status: line.status,
      lead_id: line.leadId,
      replayed: line.replayed,
      error: line.error,
      errors: line.errors,
      content_type: line.contentType,
      size_bytes: line.sizeBytes,
      duration_ms: line.durationMs,
      headers: line.headers,
      query: line.query,
      body: line.body,
      body_format: line.bodyFormat,
      body_truncated: line.bodyTruncated,
    }));
    await this.hotQuery(
      `INSERT INTO inbound_request (id, source_id, received_at, status, lead_id, replayed, error, errors, content_type,
                                    size_bytes, duration_ms, headers, query, body, body_format, body_truncated)
       SELECT t.id, t.source_id, t.received_at, t.status, t.lead_id, t.replayed, t.error, t.errors, t.content_type,
              t.size_bytes, t.duration_ms, coalesce(t.headers, '{}'), coalesce(t.query, '{}'), t.body, t.body_format,
              t.body_truncated
         FROM jsonb_to_recordset($1::jsonb) AS t(
                id uuid, source_id uuid, received_at timestamptz, status smallint, lead_id uuid, replayed boolean,
                error text, errors jsonb, content_type text, size_bytes integer, duration_ms integer, headers jsonb,
                query jsonb, body text, body_format text, body_truncated boolean)
        WHERE EXISTS (SELECT 1 FROM inbound_source s WHERE s.id = t.source_id)`,
      [JSON.stringify(rows)],
    );
  }
}
