export type ExtraScalar = string | number | boolean | null;
/** A form field beyond the known ones: a value, or a list of values (a checkbox group, a multiple select). */
export type ExtraValue = ExtraScalar | ExtraScalar[];

/** The lead as it was stored, carried in events so the dispatcher needs no second read for content. */
export interface LeadSnapshot {
  lead_id: string;
  site_id: string;
  site_hostname: string;
  submitted_at: string;
  page_url: string | null;
  lead_source: string | null;
  form_type: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  message: string | null;
  extra: Record<string, ExtraValue>;
}

/** The lead columns a person can change (PATCH), besides `extra`. */
export const LEAD_TEXT_FIELDS = [
  'name',
  'email',
  'phone',
  'message',
  'page_url',
  'lead_source',
  'form_type',
] as const;
export type LeadTextField = (typeof LEAD_TEXT_FIELDS)[number];

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isExtraValue(value: unknown): value is ExtraValue {
  const scalars: unknown[] = Array.isArray(value) ? value : [value];
  return scalars.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
}

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** What is wrong with a snapshot as received (each problem names its field), or nothing. */
export function snapshotProblems(data: unknown): string[] {
  if (!isRecord(data)) return ['data must be an object'];
  const problems: string[] = [];
  for (const field of ['lead_id', 'site_id'] as const) {
    if (typeof data[field] !== 'string' || !UUID.test(data[field]))
      problems.push(`data.${field} must be a uuid`);
  }
  if (typeof data.site_hostname !== 'string' || !data.site_hostname)
    problems.push('data.site_hostname must be a string');
  if (!isIsoDate(data.submitted_at)) problems.push('data.submitted_at must be an ISO date');
  for (const field of LEAD_TEXT_FIELDS) {
    if (data[field] !== null && typeof data[field] !== 'string')
      problems.push(`data.${field} must be a string or null`);
  }
  if (!isRecord(data.extra)) problems.push('data.extra must be an object');
  else {
    for (const [key, value] of Object.entries(data.extra)) {
      if (!isExtraValue(value)) problems.push(`data.extra.${key} must be a scalar or a list of scalars`);
    }
  }
  return problems;
}
