import type { ExtraValue, LeadSnapshot } from './lead-snapshot.js';

export const LEAD_UPDATED_TYPE = 'lead.updated';
export const LEAD_UPDATED_VERSION = 1;

/** One changed value: a lead column (`email`) or an extra field (`extra.plan`). */
export interface LeadChange {
  from: ExtraValue;
  to: ExtraValue;
}

/** The lead as it is now, what changed, and its version (increments per change: receivers drop stale updates). */
export interface LeadUpdatedData extends LeadSnapshot {
  version: number;
  changes: Record<string, LeadChange>;
}

/** `lead.updated` v1 envelope (SPEC §11). Emitted only when a value really changed, with that change. */
export interface LeadUpdatedEvent {
  id: string;
  type: typeof LEAD_UPDATED_TYPE;
  version: typeof LEAD_UPDATED_VERSION;
  occurred_at: string;
  data: LeadUpdatedData;
}

export function buildLeadUpdatedEvent(
  eventId: string,
  occurredAt: Date,
  data: LeadUpdatedData,
): LeadUpdatedEvent {
  return {
    id: eventId,
    type: LEAD_UPDATED_TYPE,
    version: LEAD_UPDATED_VERSION,
    occurred_at: occurredAt.toISOString(),
    data,
  };
}
