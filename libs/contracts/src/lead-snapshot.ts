import type { ExtraValue, LeadSnapshot } from './lead-created.event.js';

/** A lead as every producer of events holds it (intake, a stored row, the admin test send, fixtures). */
export interface LeadFields {
  id: string;
  siteId: string;
  siteHostname: string;
  submittedAt: Date;
  pageUrl: string | null;
  leadSource: string | null;
  formType: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  message: string | null;
  extra: Record<string, ExtraValue>;
}

/** The one builder of the snapshot an event carries. */
export function leadSnapshot(lead: LeadFields): LeadSnapshot {
  return {
    lead_id: lead.id,
    site_id: lead.siteId,
    site_hostname: lead.siteHostname,
    submitted_at: lead.submittedAt.toISOString(),
    page_url: lead.pageUrl,
    lead_source: lead.leadSource,
    form_type: lead.formType,
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    message: lead.message,
    extra: lead.extra,
  };
}
