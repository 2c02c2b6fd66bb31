import { LEAD_DELETED_TYPE, type LeadDeletedEvent } from './lead-deleted.event.js';
import type { LeadDataEvent, LeadEvent } from './lead-event.js';
import type { ExtraValue } from './lead-snapshot.js';
import { LEAD_UPDATED_TYPE } from './lead-updated.event.js';

export interface SiteIdentity {
  id: string;
  hostname: string;
  name: string;
}

/**
 * `flat`: Zapier-style top-level keys (SPEC §6, the default); `envelope`: `{event, event_id, timestamp, data}`;
 * `custom`: the object the endpoint's JSONata `mapping` makes of the event (SPEC §14, see `outboundMappingInput`).
 */
export const PAYLOAD_FORMATS = ['flat', 'envelope', 'custom'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
/** The formats built here, without a mapping. */
export type BuiltInPayloadFormat = Exclude<PayloadFormat, 'custom'>;

export type FlatPayload = Record<string, string | number | boolean | null>;

/** Our keys in the flat payload: an extra form field by one of these names travels as `extra_<name>`. */
const RESERVED_KEYS = new Set([
  'id',
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
  'lead_version',
  'changed_fields',
  'erased_at',
  'reason',
]);

/** Zapier maps top-level scalars to fields; a list (a checkbox group) travels comma-joined. */
function flatValue(value: ExtraValue): string | number | boolean | null {
  return Array.isArray(value) ? value.map((item) => (item === null ? '' : String(item))).join(',') : value;
}

/** An extra field's top-level key: its own name, or `extra_<name>` when that is one of ours. */
function flatKeyOfExtra(key: string): string {
  return RESERVED_KEYS.has(key) || key.startsWith('previous_') ? `extra_${key}` : key;
}

/** A change's name as the flat payload shows it: `email`, or an extra field's flat key (`extra.plan` → `plan`). */
function flatNameOfChange(field: string): string {
  return field.startsWith('extra.') ? flatKeyOfExtra(field.slice('extra.'.length)) : field;
}

/** The lead's own fields with its site, in the reading order both formats use. */
function leadColumns(event: LeadDataEvent, site: SiteIdentity) {
  const lead = event.data;
  return {
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
}

/**
 * The flat JSON object (SPEC §6): Zapier maps top-level keys to fields, so nothing is nested. `id` is the event id
 * (= `event_id` = `webhook-id`), the same in every delivery and retry of one event, so a receiver (Zapier's
 * trigger) can tell a retry from a new event. Extra form fields are added flat; one that collides with a key of
 * ours (`id` included) is kept as `extra_<key>`. A lead.updated also carries `lead_version`, `changed_fields`
 * (comma list) and `previous_<field>` for each change.
 */
export function buildZapierPayload(event: LeadEvent, site: SiteIdentity, attempt: number): FlatPayload {
  if (event.type === LEAD_DELETED_TYPE)
    return { id: event.id, event: event.type, event_id: event.id, ...deletedColumns(event, site), attempt };
  const lead = event.data;
  const payload: FlatPayload = {
    id: event.id,
    event: event.type,
    event_id: event.id,
    ...leadColumns(event, site),
  };
  for (const [key, value] of Object.entries(lead.extra)) {
    const flatKey = flatKeyOfExtra(key);
    if (!(flatKey in payload)) payload[flatKey] = flatValue(value);
  }
  if (event.type === LEAD_UPDATED_TYPE) {
    const changes = Object.entries(event.data.changes);
    payload.lead_version = event.data.version;
    payload.changed_fields = changes.map(([field]) => flatNameOfChange(field)).join(',');
    for (const [field, change] of changes)
      payload[`previous_${flatNameOfChange(field)}`] = flatValue(change.from);
  }
  payload.attempt = attempt;
  return payload;
}

/**
 * A lead.deleted's fields: ids, when and why, with the site (whose names are ours, not the person's). Nothing
 * personal: the lead's data is gone by the time this is sent.
 */
function deletedColumns(event: LeadDeletedEvent, site: SiteIdentity) {
  return {
    lead_id: event.data.lead_id,
    site_id: site.id,
    site_hostname: site.hostname,
    site_name: site.name,
    erased_at: event.data.erased_at,
    reason: event.data.reason,
  };
}

/** The lead as `data`, keys in a fixed reading order (a stored event's keys come back in jsonb's order). */
function envelopeData(event: LeadEvent, site: SiteIdentity): Record<string, unknown> {
  if (event.type === LEAD_DELETED_TYPE) return deletedColumns(event, site);
  const lead = event.data;
  const data: Record<string, unknown> = { ...leadColumns(event, site), extra: lead.extra };
  for (const [key, value] of Object.entries(lead)) if (!(key in data)) data[key] = value;
  return data;
}

/** `{event, event_id, timestamp, data}`: the lead nested as stored (extras in `extra`, changes in `changes`). */
export function buildEnvelopePayload(
  event: LeadEvent,
  site: SiteIdentity,
  attempt: number,
): Record<string, unknown> {
  return {
    event: event.type,
    event_id: event.id,
    timestamp: event.occurred_at,
    attempt,
    data: envelopeData(event, site),
  };
}

export function buildWebhookPayload(
  event: LeadEvent,
  site: SiteIdentity,
  attempt: number,
  format: BuiltInPayloadFormat = 'flat',
): Record<string, unknown> {
  return format === 'envelope'
    ? buildEnvelopePayload(event, site, attempt)
    : buildZapierPayload(event, site, attempt);
}
