import type { DataSource } from 'typeorm';

/** An endpoint whose last this-many attempts all failed (or whose last answer was 410) is flagged `failing`. */
export const FAILING_AFTER_CONSECUTIVE_FAILURES = 5;

export interface EndpointStats {
  windowMs: number;
  /** Deliveries created in the window, by state now. */
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
  /** PENDING deliveries (any age) that failed at least once and wait for a retry tier. */
  inRetry: number;
  /** sent / (sent + failed) over the window's deliveries; null when none ended yet. */
  successRate: number | null;
  /** HTTP duration of the window's attempts (ms); null without attempts. */
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  attempts: number;
  /** Failed attempts since the last 2xx (capped at 1000). */
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  last410At: Date | null;
  failing: boolean;
}

/** Every site at a glance (the console's overview). */
export interface DeliveryOverview {
  windowMs: number;
  /** Deliveries created in the window, by state now. */
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
  /** PENDING deliveries (any age) that failed at least once and wait for a retry tier. */
  inRetry: number;
  p95DurationMs: number | null;
  attempts: number;
  /** FAILED deliveries of any age: what sits in the dead-letter topics and was not replayed since. */
  deadLetters: number;
  failingEndpoints: Array<{ id: string; name: string; siteId: string; siteHostname: string }>;
}

/**
 * "Failing" as SQL over one endpoint `e`: its last N attempts all failed, or its last attempt was a 410. A delivery
 * its own mapping failed made no request (error class `mapping`): it says nothing about the receiver and is left out
 * here, as from the consecutive failures and the durations.
 */
const FAILING_SQL = (n: string) => `(
  (SELECT count(*) FROM (
     SELECT a.http_status FROM delivery_attempt a
      WHERE a.endpoint_id = e.id AND a.tier <> 'test' AND NOT a.lease_lost AND a.error_class IS DISTINCT FROM 'mapping'
      ORDER BY a.started_at DESC LIMIT ${n}) recent
    WHERE recent.http_status IS NULL OR recent.http_status NOT BETWEEN 200 AND 299) >= ${n}
  OR (SELECT a.http_status FROM delivery_attempt a
       WHERE a.endpoint_id = e.id AND a.tier <> 'test' AND NOT a.lease_lost AND a.error_class IS DISTINCT FROM 'mapping'
       ORDER BY a.started_at DESC LIMIT 1) = 410)`;

/** Read-only delivery statistics for metrics and the admin API. */
export class DeliveryStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Live, enabled endpoints failing continuously (the last FAILING_AFTER_CONSECUTIVE_FAILURES attempts failed, or
   * the last one answered 410): the `leadhooks_endpoints_failing` gauge. 404/410 never disable an endpoint (SPEC
   * §6); this is how someone notices.
   */
  async failingEndpointCount(threshold = FAILING_AFTER_CONSECUTIVE_FAILURES): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM endpoint e WHERE e.deleted_at IS NULL AND e.enabled AND ${FAILING_SQL('$1')}`,
      [threshold],
    );
    return row.count;
  }

  /** Deliveries of every site over the last `windowMs`, dead letters and failing endpoints (SPEC §13 overview). */
  async overview(
    windowMs: number,
    threshold = FAILING_AFTER_CONSECUTIVE_FAILURES,
  ): Promise<DeliveryOverview> {
    const [[row], failing] = await Promise.all([
      this.dataSource.query<
        Array<{
          sent: number;
          failed: number;
          skipped: number;
          pending: number;
          in_retry: number;
          dead_letters: number;
          attempts: number;
          p95: number | null;
        }>
      >(
        `WITH since AS (SELECT now() - make_interval(secs => $1::double precision / 1000) AS at)
         SELECT (SELECT count(*) FILTER (WHERE status = 'SENT')::int FROM delivery, since WHERE created_at >= since.at) AS sent,
                (SELECT count(*) FILTER (WHERE status = 'FAILED')::int FROM delivery, since WHERE created_at >= since.at) AS failed,
                (SELECT count(*) FILTER (WHERE status = 'SKIPPED')::int FROM delivery, since WHERE created_at >= since.at) AS skipped,
                (SELECT count(*) FILTER (WHERE status = 'PENDING')::int FROM delivery, since WHERE created_at >= since.at) AS pending,
                (SELECT count(*)::int FROM delivery WHERE status = 'PENDING' AND attempt_count > 0) AS in_retry,
                (SELECT count(*)::int FROM delivery WHERE status = 'FAILED') AS dead_letters,
                (SELECT count(*)::int FROM delivery_attempt, since
                  WHERE started_at >= since.at AND tier <> 'test' AND NOT lease_lost
                    AND error_class IS DISTINCT FROM 'mapping') AS attempts,
                (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM delivery_attempt, since
                  WHERE started_at >= since.at AND tier <> 'test' AND NOT lease_lost
                    AND error_class IS DISTINCT FROM 'mapping') AS p95`,
        [windowMs],
      ),
      this.dataSource.query<Array<{ id: string; name: string; site_id: string; hostname: string }>>(
        `SELECT e.id, e.name, e.site_id, s.hostname FROM endpoint e JOIN site s ON s.id = e.site_id
          WHERE e.deleted_at IS NULL AND e.enabled AND ${FAILING_SQL('$1')} ORDER BY s.hostname, e.name LIMIT 100`,
        [threshold],
      ),
    ]);
    return {
      windowMs,
      sent: row.sent,
      failed: row.failed,
      skipped: row.skipped,
      pending: row.pending,
      inRetry: row.in_retry,
      p95DurationMs: row.p95 === null ? null : Math.round(row.p95),
      attempts: row.attempts,
      deadLetters: row.dead_letters,
      failingEndpoints: failing.map((e) => ({
        id: e.id,
        name: e.name,
        siteId: e.site_id,
        siteHostname: e.hostname,
      })),
    };
  }

  /** One endpoint's figures over the last `windowMs` (SPEC §11 stats). */
  async endpointStats(
    endpointId: string,
    windowMs: number,
    threshold = FAILING_AFTER_CONSECUTIVE_FAILURES,
  ): Promise<EndpointStats> {
    const [row]: Array<{
      sent: number;
      failed: number;
      skipped: number;
      pending: number;
      in_retry: number;
      attempts: number;
      p50: number | null;
      p95: number | null;
      last_success_at: Date | null;
      last_410_at: Date | null;
      consecutive_failures: number;
      failing: boolean;
    }> = await this.dataSource.query(
      `WITH since AS (SELECT now() - make_interval(secs => $2::double precision / 1000) AS at),
       window_deliveries AS (
         SELECT count(*) FILTER (WHERE status = 'SENT')::int AS sent,
                count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
                count(*) FILTER (WHERE status = 'SKIPPED')::int AS skipped,
                count(*) FILTER (WHERE status = 'PENDING')::int AS pending
           FROM delivery, since WHERE endpoint_id = $1 AND created_at >= since.at
       ), window_attempts AS (
         SELECT count(*)::int AS attempts,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
           FROM delivery_attempt, since
          WHERE endpoint_id = $1 AND started_at >= since.at AND tier <> 'test' AND NOT lease_lost
            AND error_class IS DISTINCT FROM 'mapping'
       ), last_success AS (
         SELECT max(started_at) AS at FROM delivery_attempt
          WHERE endpoint_id = $1 AND http_status BETWEEN 200 AND 299 AND NOT lease_lost
       )
       SELECT wd.*, wa.*,
              (SELECT count(*)::int FROM delivery WHERE endpoint_id = $1 AND status = 'PENDING' AND attempt_count > 0) AS in_retry,
              ls.at AS last_success_at,
              (SELECT max(started_at) FROM delivery_attempt WHERE endpoint_id = $1 AND http_status = 410) AS last_410_at,
              (SELECT count(*)::int FROM (
                 SELECT 1 FROM delivery_attempt
                  WHERE endpoint_id = $1 AND tier <> 'test' AND NOT lease_lost AND started_at > coalesce(ls.at, '-infinity')
                    AND error_class IS DISTINCT FROM 'mapping'
                  LIMIT 1000) f) AS consecutive_failures,
              (SELECT ${FAILING_SQL('$3')} FROM endpoint e WHERE e.id = $1) AS failing
         FROM window_deliveries wd, window_attempts wa, last_success ls`,
      [endpointId, windowMs, threshold],
    );
    const ended = row.sent + row.failed;
    return {
      windowMs,
      sent: row.sent,
      failed: row.failed,
      skipped: row.skipped,
      pending: row.pending,
      inRetry: row.in_retry,
      successRate: ended ? row.sent / ended : null,
      p50DurationMs: row.p50 === null ? null : Math.round(row.p50),
      p95DurationMs: row.p95 === null ? null : Math.round(row.p95),
      attempts: row.attempts,
      consecutiveFailures: row.consecutive_failures,
      lastSuccessAt: row.last_success_at,
      last410At: row.last_410_at,
      failing: row.failing === true,
    };
  }
}
