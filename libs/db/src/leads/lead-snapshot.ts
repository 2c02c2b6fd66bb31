import {
  buildLeadCreatedEvent,
  type ExtraValue,
  type LeadCreatedEvent,
  type LeadFields,
  leadSnapshot,
} from '@leadhooks/contracts';

/** The columns of a stored lead an event is rebuilt from (`SELECT l.*, s.hostname AS site_hostname`). */
export interface StoredLeadRow {
  id: string;
  site_id: string;
  site_hostname: string;
  submitted_at: Date;
  page_url: string | null;
  lead_source: string | null;
  form_type: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  message: string | null;
  extra: Record<string, ExtraValue>;
  event_id: string;
}

/** A stored lead row as the fields every event producer holds. */
export function leadFieldsOf(row: StoredLeadRow): LeadFields {
  return {
    id: row.id,
    siteId: row.site_id,
    siteHostname: row.site_hostname,
    submittedAt: row.submitted_at,
    pageUrl: row.page_url,
    leadSource: row.lead_source,
    formType: row.form_type,
    name: row.name,
    email: row.email,
    phone: row.phone,
    message: row.message,
    extra: row.extra,
  };
}

/** The lead.created event of a stored lead, with its original event id (redelivery, replay, sweep). */
export function leadCreatedEventOf(row: StoredLeadRow): LeadCreatedEvent {
  return buildLeadCreatedEvent(row.event_id, row.submitted_at, leadSnapshot(leadFieldsOf(row)));
}
