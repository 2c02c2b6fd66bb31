import { BadRequestException } from '@nestjs/common';
import { type FieldProblem, MAPPED_LEAD_FIELDS, readMappedLead } from '@leadhooks/inbound';
import { parseLeadSubmission, type ParsedSubmission } from '../intake/lead-submission.parser.js';

/** A mapped lead intake would store, with the tool's submission id; or each field that keeps it from being one. */
export type InboundLeadVerdict =
  | { ok: true; submission: ParsedSubmission; idempotencyKey: string | null }
  | { ok: false; errors: FieldProblem[] };

const KNOWN = new Set<string>(MAPPED_LEAD_FIELDS);
/** The contact fields intake needs one of, as it matches names (`Email`, `phone`). */
const CONTACT = new Set(['email', 'phone']);

/**
 * Turns a mapping's result into the submission intake stores, through intake's own parser and validation (the same
 * rules, limits and messages as a form's lead: SPEC §14 "inbound leads are leads"). Errors name the field: a lead
 * field by its name, an extra as `extra.<name>`, and a lead with neither e-mail nor phone as `email or phone`.
 * `defaultLeadSource` (the source's name) is the lead's source when the mapping names none.
 */
export function inboundLeadFrom(mappingJson: string, defaultLeadSource: string): InboundLeadVerdict {
  const read = readMappedLead(mappingJson);
  if (!read.ok) return read;
  const { fields, extra, idempotencyKey } = read.lead;
  // Known fields first: when an extra is named like one (`Email`), the mapped field wins, as in a form post.
  const body: Record<string, unknown> = { lead_source: defaultLeadSource, ...fields };
  for (const [key, value] of Object.entries(extra)) if (!(key in body)) body[key] = value;
  const neither = !Object.keys(body).some((key) =>
    CONTACT.has(
      key
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_'),
    ),
  );
  try {
    const submission = parseLeadSubmission(body);
    return { ok: true, submission, idempotencyKey };
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const details = error.getResponse() as { errors?: FieldProblem[] };
    const errors = (details.errors ?? [])
      .filter((problem) => !(neither && (problem.field === 'email' || problem.field === 'phone')))
      .map((problem) => ({
        field: KNOWN.has(problem.field) ? problem.field : `extra.${problem.field}`,
        message: problem.message,
      }));
    if (neither)
      errors.unshift({
        field: 'email or phone',
        message: 'at least one is required; the mapping produced neither',
      });
    return { ok: false, errors };
  }
}

/** One line naming every problem: "email: email must be a valid email address (or send a phone); extra.x: …". */
export function describeProblems(errors: FieldProblem[]): string {
  return errors.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
}
