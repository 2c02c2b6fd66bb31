import { ExtraValue, LeadCreatedEvent } from './lead-created.event.js';

export interface SiteIdentity {
  id: string;
  hostname: string;
  name: string;
}

export type ZapierPayload = Record<string, string | number | boolean | null>;

const RESERVED_KEYS = new Set([
  'event',
  'event_id',
  'lead_id',
  'submitted_at',
  'site_id',
  'site_hostname',
  'site_name',
  'page_url',
  'lead_source',
  'form_type',
  'name',
  'email',
  'phone',
  'message',
  'attempt',
]);

/** Zapier maps top-level scalars to fields; a list (a checkbox group) travels comma-joined. */
function flatValue(value: ExtraValue): string | number | boolean | null {
  return Array.isArray(value) ? value.map((item) => (item === null ? '' : String(item))).join(',') : value;
}

/**
 * The flat JSON object Zapier receives (SPEC §6): Zapier maps top-level keys to fields, so nothing is nested.
 * Extra form fields are added flat; one that collides with a reserved key is kept as `extra_<key>`.
 */
export function buildZapierPayload(
  event: LeadCreatedEvent,
  site: SiteIdentity,
  attempt: number,
): ZapierPayload {
  const lead = event.data;
  const payload: ZapierPayload = {
    event: event.type,
    event_id: event.id,
    lead_id: lead.lead_id,
    submitted_at: lead.submitted_at,
    site_id: site.id,
    site_hostname: site.hostname,
    site_name: site.name,
    page_url: lead.page_url,
    lead_source: lead.lead_source,
    form_type: lead.form_type,
    name: lead.name,
    email: lead.email,
    phone: lead.phone,
    message: lead.message,
  };
  for (const [key, value] of Object.entries(lead.extra)) {
    const flatKey = RESERVED_KEYS.has(key) ? `extra_${key}` : key;
    if (!(flatKey in payload)) payload[flatKey] = flatValue(value);
  }
  payload.attempt = attempt;
  return payload;
}
