import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export type ReplayOutcome = 'replayed' | 'skipped-sent' | 'skipped-in-flight' | 'skipped-missing' | 'failed';

export interface ReplayRun {
  id: string;
  actor: string;
  startedAt: Date;
  finishedAt: Date | null;
  filter: Record<string, unknown>;
  dryRun: boolean;
  selected: number;
  replayed: number;
  skipped: number;
  failed: number;
}

interface ReplayRunRow {
  id: string;
  actor: string;
  started_at: Date;
  finished_at: Date | null;
  filter: Record<string, unknown>;
  dry_run: boolean;
  selected: number;
  replayed: number;
  skipped: number;
  failed: number;
}

function toRun(row: ReplayRunRow): ReplayRun {
  return {
    id: row.id,
    actor: row.actor,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    filter: row.filter,
    dryRun: row.dry_run,
    selected: row.selected,
    replayed: row.replayed,
    skipped: row.skipped,
    failed: row.failed,
  };
}

/** Replays of dead-lettered leads: who replayed what, when, with which filter, and each item's outcome. */
export class ReplayRepository {
  constructor(private readonly dataSource: DataSource) {}

  async startRun(
    actor: string,
    filter: Record<string, unknown>,
    dryRun: boolean,
    selected: number,
  ): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO dlt_replay (id, actor, filter, dry_run, selected) VALUES ($1, $2, $3, $4, $5)`,
      [id, actor, JSON.stringify(filter), dryRun, selected],
    );
    return id;
  }

  /**
   * When each of these dead letters was last replayed, for those that were, keyed `topic:partition:offset` (as
   * `replayedMessages`): the lookup for one chunk of a streamed DLT, by the items' index.
   */
  async replayedAmong(
    letters: Array<{ topic: string; partition: number; offset: string }>,
  ): Promise<Map<string, Date>> {
    if (!letters.length) return new Map();
    const rows: Array<{ key: string; at: Date }> = await this.dataSource.query(
      `SELECT i.dlt_topic || ':' || i.dlt_partition || ':' || i.dlt_offset AS key, max(i.created_at) AS at
         FROM unnest($1::text[], $2::int[], $3::bigint[]) AS k(topic, part, off)
         JOIN dlt_replay_item i ON i.dlt_topic = k.topic AND i.dlt_partition = k.part AND i.dlt_offset = k.off
        WHERE i.outcome = 'replayed'
        GROUP BY 1`,
      [letters.map((l) => l.topic), letters.map((l) => l.partition), letters.map((l) => l.offset)],
    );
    return new Map(rows.map((row) => [row.key, row.at]));
  }

  async finishRun(
    id: string,
    counts: { replayed: number; skipped: number; failed: number },
    selected?: number,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE dlt_replay SET finished_at = now(), replayed = $2, skipped = $3, failed = $4,
                             selected = coalesce($5, selected)
        WHERE id = $1`,
      [id, counts.replayed, counts.skipped, counts.failed, selected ?? null],
    );
  }

  async recordItem(
    replayId: string,
    item: {
      leadId: string;
      deliveryId: string | null;
      topic: string;
      partition: number;
      offset: string;
      outcome: ReplayOutcome;
      detail?: string;
    },
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO dlt_replay_item (replay_id, lead_id, delivery_id, dlt_topic, dlt_partition, dlt_offset, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        replayId,
        item.leadId,
        item.deliveryId,
        item.topic,
        item.partition,
        item.offset,
        item.outcome,
        item.detail ?? null,
      ],
    );
  }

  /** DLT messages already replayed, as `topic:partition:offset` (logical DLT topic) → replay time. */
  async replayedMessages(): Promise<Map<string, Date>> {
    const rows: Array<{ key: string; at: Date }> = await this.dataSource.query(
      `SELECT dlt_topic || ':' || dlt_partition || ':' || dlt_offset AS key, max(created_at) AS at
         FROM dlt_replay_item WHERE outcome = 'replayed' GROUP BY 1`,
    );
    return new Map(rows.map((row) => [row.key, row.at]));
  }

  async listRuns(limit = 50): Promise<ReplayRun[]> {
    const rows: ReplayRunRow[] = await this.dataSource.query(
      `SELECT * FROM dlt_replay ORDER BY started_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toRun);
  }

  /**
   * Runs `work` while holding the re-drive advisory lock (one automatic re-drive at a time across dispatchers);
   * undefined when another process holds it. The lock is a session lock on one pinned connection.
   */
  async withRedriveLock<T>(work: () => Promise<T>): Promise<T | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        REDRIVE_LOCK_ID,
      ])) as Array<{ locked: boolean }>;
      const locked = rows[0]?.locked === true;
      if (!locked) return undefined;
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [REDRIVE_LOCK_ID]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }
}

// Arbitrary constant: dispatchers serialise their automatic re-drives on it.
const REDRIVE_LOCK_ID = 7_240_118_002;
