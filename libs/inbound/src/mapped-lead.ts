import { createHash } from 'node:crypto';

/** The lead fields a mapping may produce besides `extra` and `idempotency_key` (SPEC §14). */
export const MAPPED_LEAD_FIELDS = [
  'name',
  'email',
  'phone',
  'message',
  'page_url',
  'lead_source',
  'form_type',
] as const;
export type MappedLeadField = (typeof MAPPED_LEAD_FIELDS)[number];

export interface FieldProblem {
  field: string;
  message: string;
}

/** What a mapping produced, read as a lead: text fields, extras (validated later by intake), the tool's id. */
export interface MappedLead {
  fields: Partial<Record<MappedLeadField, string>>;
  extra: Record<string, unknown>;
  /** The tool's own submission id, when the mapping names one: a repeat of it returns the first lead. */
  idempotencyKey: string | null;
}

/** Longest submission id kept as it is; a longer one is kept as its SHA-256 (still unique, bounded). */
const MAX_PLAIN_KEY_LENGTH = 120;

const ALLOWED = new Set<string>([...MAPPED_LEAD_FIELDS, 'extra', 'idempotency_key']);

/**
 * Reads a mapping's result (the JSON text of one object) as a lead, or says which field is wrong and why. Text
 * fields take a string or a number (a phone number often arrives as one); a list gives its first non-empty value
 * (JSONata yields a list when several answers match); null or "" means "not given". Anything else at the top level is
 * refused by name, so a misspelt field shows up in the preview instead of silently vanishing.
 */
export function readMappedLead(
  json: string,
): { ok: true; lead: MappedLead } | { ok: false; errors: FieldProblem[] } {
  const output = JSON.parse(json) as Record<string, unknown>;
  const errors: FieldProblem[] = [];
  const lead: MappedLead = { fields: {}, extra: {}, idempotencyKey: null };
  for (const [key, value] of Object.entries(output)) {
    if (!ALLOWED.has(key)) {
      errors.push({
        field: printable(key),
        message: `not a lead field (the mapping may produce ${[...ALLOWED].join(', ')}; put other values under extra)`,
      });
      continue;
    }
    if (key === 'extra') {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push({ field: 'extra', message: `must be an object of fields (it is ${describe(value)})` });
        continue;
      }
      lead.extra = value as Record<string, unknown>;
      continue;
    }
    const text = asText(value);
    if (text === null) {
      errors.push({ field: key, message: `must be text or a number (it is ${describe(value)})` });
      continue;
    }
    if (text === undefined) continue;
    if (key === 'idempotency_key') lead.idempotencyKey = boundedKey(text);
    else lead.fields[key as MappedLeadField] = text;
  }
  return errors.length ? { ok: false, errors } : { ok: true, lead };
}

/** Text for a field: undefined when not given, null when the value cannot be text. */
function asText(value: unknown): string | undefined | null {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object') return null;
      const text = asText(item);
      if (text === null) return null;
      if (text !== undefined) return text;
    }
    return undefined;
  }
  return null;
}

/** The key as stored: a long or unstorable one (NUL, unpaired surrogate) becomes its SHA-256, still one per id. */
function boundedKey(key: string): string {
  const storable = key.length <= MAX_PLAIN_KEY_LENGTH && !key.includes('\u0000') && key.isWellFormed();
  return storable ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function printable(text: string): string {
  return text
    .replace(/\u0000/g, ' ')
    .toWellFormed()
    .slice(0, 100);
}
