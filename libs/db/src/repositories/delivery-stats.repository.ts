import type { DataSource } from 'typeorm';

/** Read-only delivery statistics for metrics and the admin API. */
export class DeliveryStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Destinations failing continuously: sites with at least `minAttempts` attempts in the last `windowMs` and not
   * one 2xx among them (a hook answering 410, a receiver down for good). Counted for the `failing` gauge.
   */
  async failingSiteCount(windowMs: number, minAttempts: number): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM (
         SELECT l.site_id
           FROM delivery_attempt a JOIN lead l ON l.id = a.lead_id
          WHERE a.started_at > now() - make_interval(secs => $1::double precision / 1000) AND a.tier <> 'test'
          GROUP BY l.site_id
         HAVING count(*) >= $2 AND bool_and(a.http_status IS NULL OR a.http_status NOT BETWEEN 200 AND 299)) failing`,
      [windowMs, minAttempts],
    );
    return row.count;
  }
}
