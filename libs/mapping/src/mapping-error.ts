/**
 * Why a mapping could not produce its result. `position` is JSONata's: the character offset in the mapping's source
 * just past the offending token, set for syntax errors and for evaluation errors JSONata can place.
 */
export interface MappingError {
  kind: MappingErrorKind;
  message: string;
  position?: number;
  /** JSONata's error code (e.g. `S0203`, `D1012`), when it gave one. */
  code?: string;
}

export type MappingErrorKind =
  | 'syntax' // the source does not parse, or is too long
  | 'evaluation' // JSONata refused the expression on this input
  | 'timeout' // the evaluation ran past its time limit
  | 'output' // the result is not what the caller needs (nothing, not an object, too large, not JSON)
  | 'resources'; // the evaluation needed more memory than its worker has

/** One line, for a stored `last_error` or an API answer: "mapping: Expected "}" before end of expression (at 17)". */
export function describeMappingError(error: MappingError): string {
  const at = error.position === undefined ? '' : ` (at ${error.position})`;
  return `${error.message}${at}`;
}

/**
 * One line without JSONata's message, which can quote a value the evaluation saw (`Unable to cast value to a number:
 * "ada@example.com"`): what a dead letter's headers carry, where erasure cannot reach (docs/privacy.md).
 * "evaluation error D3030 (at 17)".
 */
export function summarizeMappingError(error: MappingError): string {
  const code = error.code ? ` ${error.code}` : '';
  const at = error.position === undefined ? '' : ` (at ${error.position})`;
  return `${error.kind} error${code}${at}`;
}
