export const LEAD_CREATED_TYPE = 'lead.created';
export const LEAD_CREATED_VERSION = 1;

export type ExtraScalar = string | number | boolean | null;
/** A form field beyond the known ones: a value, or a list of values (a checkbox group, a multiple select). */
export type ExtraValue = ExtraScalar | ExtraScalar[];

/** The lead as it was stored, carried in the event so the dispatcher needs no second read for content. */
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

/** `lead.created` v1 envelope (SPEC §5). `id` is the event id, stable forever (= webhook-id). */
export interface LeadCreatedEvent {
  id: string;
  type: typeof LEAD_CREATED_TYPE;
  version: typeof LEAD_CREATED_VERSION;
  occurred_at: string;
  data: LeadSnapshot;
}

export type EventParseResult =
  | { ok: true; event: LeadCreatedEvent }
  | { ok: false; reason: string; code: 'invalid-json' | 'invalid-event' | 'unknown-version' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NULLABLE_TEXT_FIELDS = [
  'page_url',
  'lead_source',
  'form_type',
  'name',
  'email',
  'phone',
  'message',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function validateSnapshot(data: unknown): string[] {
  if (!isRecord(data)) return ['data must be an object'];
  const problems: string[] = [];
  for (const field of ['lead_id', 'site_id'] as const) {
    if (typeof data[field] !== 'string' || !UUID.test(data[field]))
      problems.push(`data.${field} must be a uuid`);
  }
  if (typeof data.site_hostname !== 'string' || !data.site_hostname)
    problems.push('data.site_hostname must be a string');
  if (!isIsoDate(data.submitted_at)) problems.push('data.submitted_at must be an ISO date');
  for (const field of NULLABLE_TEXT_FIELDS) {
    if (data[field] !== null && typeof data[field] !== 'string')
      problems.push(`data.${field} must be a string or null`);
  }
  if (!isRecord(data.extra)) problems.push('data.extra must be an object');
  else {
    for (const [key, value] of Object.entries(data.extra)) {
      const scalars: unknown[] = Array.isArray(value) ? value : [value];
      if (!scalars.every(isScalar)) problems.push(`data.extra.${key} must be a scalar or a list of scalars`);
    }
  }
  return problems;
}

/** Validates an envelope received from Kafka (or about to be sent). Never throws. */
export function parseLeadCreatedEvent(raw: unknown): EventParseResult {
  let value: unknown = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      value = JSON.parse(raw.toString());
    } catch {
      return { ok: false, code: 'invalid-json', reason: 'message value is not JSON' };
    }
  }
  if (!isRecord(value)) return { ok: false, code: 'invalid-event', reason: 'event must be a JSON object' };
  if (value.type !== LEAD_CREATED_TYPE) {
    return {
      ok: false,
      code: 'invalid-event',
      reason: `type must be '${LEAD_CREATED_TYPE}' (got ${JSON.stringify(value.type)})`,
    };
  }
  if (value.version !== LEAD_CREATED_VERSION) {
    return {
      ok: false,
      code: 'unknown-version',
      reason: `unsupported ${LEAD_CREATED_TYPE} version ${JSON.stringify(value.version)} (this build understands ${LEAD_CREATED_VERSION})`,
    };
  }
  const problems: string[] = [];
  if (typeof value.id !== 'string' || !value.id) problems.push('id must be a non-empty string');
  if (!isIsoDate(value.occurred_at)) problems.push('occurred_at must be an ISO date');
  problems.push(...validateSnapshot(value.data));
  if (problems.length) return { ok: false, code: 'invalid-event', reason: problems.join('; ') };
  return { ok: true, event: value as unknown as LeadCreatedEvent };
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
