export const LEAD_DELETED_TYPE = 'lead.deleted';
export const LEAD_DELETED_VERSION = 1;

/**
 * Why a lead was erased: a person's request (`DELETE /v1/leads/{id}`), the retention sweep, or its site's deletion.
 */
export const LEAD_DELETED_REASONS = ['request', 'retention', 'site_deleted'] as const;
export type LeadDeletedReason = (typeof LEAD_DELETED_REASONS)[number];

/**
 * Ids only (docs/privacy.md): what a receiver (Zapier, Make, a CRM) needs to delete its own copy of the lead, and
 * nothing personal. So a lead.deleted is never sealed: there is nothing in it to erase, and it is sent after its
 * lead's data key is gone.
 */
export interface LeadDeletedData {
  lead_id: string;
  site_id: string;
  erased_at: string;
  reason: LeadDeletedReason;
}

/** `lead.deleted` v1 envelope: a lead was erased (SPEC §11, issue 24). */
export interface LeadDeletedEvent {
  id: string;
  type: typeof LEAD_DELETED_TYPE;
  version: typeof LEAD_DELETED_VERSION;
  occurred_at: string;
  data: LeadDeletedData;
}

export function buildLeadDeletedEvent(
  eventId: string,
  erasedAt: Date,
  data: { leadId: string; siteId: string; reason: LeadDeletedReason },
): LeadDeletedEvent {
  return {
    id: eventId,
    type: LEAD_DELETED_TYPE,
    version: LEAD_DELETED_VERSION,
    occurred_at: erasedAt.toISOString(),
    data: {
      lead_id: data.leadId,
      site_id: data.siteId,
      erased_at: erasedAt.toISOString(),
      reason: data.reason,
    },
  };
}

export function isLeadDeletedReason(value: unknown): value is LeadDeletedReason {
  return (LEAD_DELETED_REASONS as readonly unknown[]).includes(value);
}
