import type { MappingError, MappingErrorKind } from './mapping-error.js';

/** JSONata throws plain objects `{code, position, token, message}`, and sometimes real Errors (RangeError, …). */
export function fromJsonataError(thrown: unknown, kind: MappingErrorKind): MappingError {
  if (thrown && typeof thrown === 'object') {
    const { code, position, message } = thrown as { code?: unknown; position?: unknown; message?: unknown };
    const error: MappingError = {
      kind: code === 'D1012' ? 'timeout' : kind,
      message: typeof message === 'string' && message ? message : 'the expression failed',
    };
    if (typeof code === 'string') error.code = code;
    if (typeof position === 'number' && Number.isFinite(position)) error.position = position;
    if (thrown instanceof RangeError && /call stack/i.test(error.message))
      error.message = 'the expression is nested too deeply';
    return error;
  }
  return { kind, message: String(thrown) };
}
