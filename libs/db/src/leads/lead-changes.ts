import { type ExtraValue, type LeadChange, type LeadFields, type LeadTextField } from '@leadhooks/contracts';

/**
 * A PATCH of a lead: text fields by their API names (a value, or null to clear), and extra fields to set (a value)
 * or remove (null). Fields not named are left as they are.
 */
export interface LeadPatch {
  fields: Partial<Record<LeadTextField, string | null>>;
  extra?: Record<string, ExtraValue | null>;
}

const FIELD_OF: Record<LeadTextField, keyof LeadFields> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  message: 'message',
  page_url: 'pageUrl',
  lead_source: 'leadSource',
  form_type: 'formType',
};

function sameValue(a: ExtraValue | undefined, b: ExtraValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The lead as the patch would make it, and what really changes: `{field: {from, to}}` by API name, extra fields as
 * `extra.<name>` (a removed one goes `to: null`). A value equal to the current one is no change.
 */
export function leadChanges(
  current: LeadFields,
  patch: LeadPatch,
): { next: LeadFields; changes: Record<string, LeadChange> } {
  const next: LeadFields = { ...current, extra: { ...current.extra } };
  const changes: Record<string, LeadChange> = {};
  for (const [field, value] of Object.entries(patch.fields) as Array<
    [LeadTextField, string | null | undefined]
  >) {
    if (value === undefined) continue;
    const key = FIELD_OF[field];
    const before = current[key] as string | null;
    if (before === value) continue;
    (next as unknown as Record<string, unknown>)[key] = value;
    changes[field] = { from: before, to: value };
  }
  for (const [name, value] of Object.entries(patch.extra ?? {})) {
    const before = current.extra[name];
    if (value === null) {
      if (before === undefined) continue;
      delete next.extra[name];
      changes[`extra.${name}`] = { from: before, to: null };
    } else if (!sameValue(before, value)) {
      next.extra[name] = value;
      changes[`extra.${name}`] = { from: before ?? null, to: value };
    }
  }
  return { next, changes };
}
