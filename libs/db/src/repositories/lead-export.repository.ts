import type { DataSource } from 'typeorm';

/** Everything stored about one lead, as stored (column names), in one JSON document (a data subject's access request). */
export interface LeadExport {
  lead: Record<string, unknown>;
  deliveries: Array<Record<string, unknown>>;
  delivery_attempts: Array<Record<string, unknown>>;
  lead_updates: Array<Record<string, unknown>>;
  inbound_requests: Array<Record<string, unknown>>;
  erasures: Array<Record<string, unknown>>;
}

/**
 * The lead's rows from every table that holds something about it. Credentials and internals are left out (the
 * data key, lease tokens); events in the outbox and in Kafka are copies of the lead and its updates, sealed.
 */
export class LeadExportRepository {
  constructor(private readonly dataSource: DataSource) {}

  async exportLead(leadId: string, siteId?: string): Promise<LeadExport | null> {
    const leads: Array<{ row: Record<string, unknown> }> = await this.dataSource.query(
      `SELECT to_jsonb(l) AS row FROM lead l WHERE l.id = $1 AND ($2::uuid IS NULL OR l.site_id = $2)`,
      [leadId, siteId ?? null],
    );
    if (!leads[0]) return null;
    const rows = async (sql: string): Promise<Array<Record<string, unknown>>> => {
      const found: Array<{ row: Record<string, unknown> }> = await this.dataSource.query(sql, [leadId]);
      return found.map((r) => r.row);
    };
    const [deliveries, attempts, updates, inbound, erasures] = await Promise.all([
      rows(
        `SELECT to_jsonb(d) - 'lock_token' - 'locked_until' AS row FROM delivery d WHERE d.lead_id = $1 ORDER BY d.created_at, d.id`,
      ),
      rows(
        `SELECT to_jsonb(a) AS row FROM delivery_attempt a WHERE a.lead_id = $1 ORDER BY a.started_at, a.id`,
      ),
      rows(`SELECT to_jsonb(u) AS row FROM lead_update u WHERE u.lead_id = $1 ORDER BY u.version`),
      rows(
        `SELECT to_jsonb(r) AS row FROM inbound_request r WHERE r.lead_id = $1 ORDER BY r.received_at, r.id`,
      ),
      rows(`SELECT to_jsonb(e) AS row FROM lead_erasure e WHERE e.lead_id = $1 ORDER BY e.erased_at`),
    ]);
    return {
      lead: leads[0].row,
      deliveries,
      delivery_attempts: attempts,
      lead_updates: updates,
      inbound_requests: inbound,
      erasures,
    };
  }
}
