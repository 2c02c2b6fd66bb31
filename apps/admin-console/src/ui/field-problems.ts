import { ApiError } from '../api/client.js';
import type { MappingProblem } from '../api/types.js';
import { html } from './html.js';

/** An API refusal sorted for a form: what each field it names got wrong (shown beside it), and the rest. */
export interface FormProblems {
  /** Said above the buttons: the API's message when no shown field explains it, or an error that is not the API's. */
  general: string | null;
  byField: Record<string, string>;
  /** JSONata's error and its position, when the refusal was the mapping's. */
  mapping: MappingProblem | null;
}

export const NO_PROBLEMS: FormProblems = { general: null, byField: {}, mapping: null };

/**
 * Sorts an error for a form that shows `fields`: the API's field errors go beside those fields, one the form does
 * not show (or an error without fields) is said in general. The text stays text: it is rendered, never parsed.
 */
export function formProblems(error: unknown, fields: readonly string[]): FormProblems {
  if (!error) return NO_PROBLEMS;
  if (!(error instanceof ApiError))
    return {
      general: error instanceof Error ? error.message : 'Something went wrong; try again.',
      byField: {},
      mapping: null,
    };
  const byField: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const { field, message } of error.fields) {
    const top = String(field).split('.')[0];
    if (fields.includes(top)) byField[top] = byField[top] ? `${byField[top]}; ${message}` : String(message);
    else elsewhere.push(`${field}: ${message}`);
  }
  const general =
    elsewhere.length > 0
      ? elsewhere.join('; ')
      : Object.keys(byField).length === 0
        ? error.explanation
        : null;
  return { general, byField, mapping: error.mappingError };
}

/** The id of the note beside a field (for `aria-describedby`). */
export const problemId = (fieldId: string) => `${fieldId}-problem`;

/** What is wrong with one field, under it; announced when it appears. */
export function FieldProblem({ fieldId, message }: { fieldId: string; message: string | undefined }) {
  if (!message) return null;
  return html`<p class="field-problem" id=${problemId(fieldId)} role="alert" data-testid="field-problem">
    ${message}
  </p>`;
}

/** `aria-invalid` / `aria-describedby` for a field's control. */
export function invalidProps(fieldId: string, message: string | undefined) {
  return message ? { 'aria-invalid': 'true', 'aria-describedby': problemId(fieldId) } : {};
}
