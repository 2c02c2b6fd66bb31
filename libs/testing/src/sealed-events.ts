import type { DataSource } from 'typeorm';
import { type LeadEvent, openLeadEvent, parseLeadEvent, type WireLeadEvent } from '@leadhooks/contracts';
import { testLeadKeys } from './fixtures.js';

/**
 * An outbox payload or Kafka message as the dispatcher reads it at send time: opened with its lead's data key
 * (sealed with the test key), then checked. Throws when it does not open (e.g. the lead was erased).
 */
export async function openStoredEvent(dataSource: DataSource, payload: unknown): Promise<LeadEvent> {
  const event = (typeof payload === 'string' ? JSON.parse(payload) : payload) as WireLeadEvent;
  const rows: Array<{ sealed_key: string | null }> = await dataSource.query(
    `SELECT sealed_key FROM lead_key WHERE lead_id = $1`,
    [event.data.lead_id],
  );
  const opened = openLeadEvent(event, testLeadKeys().open(rows[0]?.sealed_key ?? null));
  if (!opened.ok) throw new Error(`event ${event.id} does not open: ${opened.reason}`);
  const parsed = parseLeadEvent(opened.event);
  if (!parsed.ok) throw new Error(`event ${event.id} opened but is invalid: ${parsed.reason}`);
  return parsed.event;
}
