import type { LeadSnapshot } from './lead-snapshot.js';

export const LEAD_CREATED_TYPE = 'lead.created';
export const LEAD_CREATED_VERSION = 1;

/** `lead.created` v1 envelope (SPEC §5). `id` is the event id, stable forever (= webhook-id). */
export interface LeadCreatedEvent {
  id: string;
  type: typeof LEAD_CREATED_TYPE;
  version: typeof LEAD_CREATED_VERSION;
  occurred_at: string;
  data: LeadSnapshot;
}

export function buildLeadCreatedEvent(
  eventId: string,
  occurredAt: Date,
  data: LeadSnapshot,
): LeadCreatedEvent {
  return {
    id: eventId,
    type: LEAD_CREATED_TYPE,
    version: LEAD_CREATED_VERSION,
    occurred_at: occurredAt.toISOString(),
    data,
  };
}
