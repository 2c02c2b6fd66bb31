import { BadRequestException } from '@nestjs/common';
import type { ExtraValue } from '@leadhooks/contracts';
import { textProblem } from '../http/storable-text.js';
import { EXTRA_LIMITS } from '../intake/lead-submission.parser.js';

/**
 * The `extra` of a lead PATCH, checked against the intake limits: each name a storable, non-empty name; each value
 * a scalar or a list of scalars (bounded), or null to remove the field. A 400 names every failing field.
 */
export function parseExtraPatch(raw: Record<string, unknown> | undefined): Record<string, ExtraValue | null> {
  if (raw === undefined) return {};
  const errors: Array<{ field: string; message: string }> = [];
  const patch: Record<string, ExtraValue | null> = {};
  for (const [name, value] of Object.entries(raw)) {
    const field = `extra.${name.slice(0, EXTRA_LIMITS.maxKeyLength)}`;
    const nameProblem = textProblem(name);
    if (nameProblem || !name.trim() || name.length > EXTRA_LIMITS.maxKeyLength) {
      errors.push({
        field: nameProblem ? 'extra' : field,
        message: nameProblem
          ? `an extra field name ${nameProblem}`
          : `names must be 1 to ${EXTRA_LIMITS.maxKeyLength} characters`,
      });
      continue;
    }
    if (value === null) {
      patch[name] = null;
      continue;
    }
    const items: unknown[] = Array.isArray(value) ? value : [value];
    if (!items.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item))) {
      errors.push({
        field,
        message: `${field} must be a value or a list of values (nested objects are not accepted)`,
      });
      continue;
    }
    if (items.length > EXTRA_LIMITS.maxListItems) {
      errors.push({ field, message: `${field} may hold at most ${EXTRA_LIMITS.maxListItems} values` });
      continue;
    }
    const text = items.filter((item): item is string => typeof item === 'string');
    const problem = text.map(textProblem).find(Boolean);
    if (problem) errors.push({ field, message: `${field} ${problem}` });
    else if (text.some((item) => item.length > EXTRA_LIMITS.maxValueLength))
      errors.push({ field, message: `${field} must be at most ${EXTRA_LIMITS.maxValueLength} characters` });
    else patch[name] = value as ExtraValue;
  }
  if (errors.length) throw new BadRequestException({ message: 'The lead change is invalid', errors });
  return patch;
}
