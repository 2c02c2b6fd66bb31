import type { LeadEvent } from './lead-event.js';
import type { LeadChange } from './lead-updated.event.js';
import { LEAD_UPDATED_TYPE } from './lead-updated.event.js';
import type { SiteIdentity } from './webhook-payload.js';

/** What an outbound mapping (SPEC §14, `format: custom`) is evaluated against. */
export interface OutboundMappingInput {
  event: string;
  event_id: string;
  timestamp: string;
  attempt: number;
  /** Every lead field as the event carries it (`lead_id`, `email`, …, `extra`); a lead.deleted's ids, when and why. */
  lead: Record<string, unknown>;
  /** lead.updated only: `{field: {from, to}}`; null for lead.created and lead.deleted. */
  changes: Record<string, LeadChange> | null;
  /** lead.updated only: the lead's version; null for lead.created and lead.deleted. */
  version: number | null;
  site: SiteIdentity;
}

/** The one builder of a mapping's input: the dispatcher's sends, the admin test send and the preview all use it. */
export function outboundMappingInput(
  event: LeadEvent,
  site: SiteIdentity,
  attempt: number,
): OutboundMappingInput {
  const updated = event.type === LEAD_UPDATED_TYPE ? event.data : null;
  const lead: Record<string, unknown> = { ...event.data };
  delete lead.changes;
  delete lead.version;
  return {
    event: event.type,
    event_id: event.id,
    timestamp: event.occurred_at,
    attempt,
    lead,
    changes: updated ? updated.changes : null,
    version: updated ? updated.version : null,
    site: { id: site.id, hostname: site.hostname, name: site.name },
  };
}
