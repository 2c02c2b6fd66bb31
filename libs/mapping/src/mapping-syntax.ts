import jsonata from 'jsonata';
import { fromJsonataError } from './jsonata-error.js';
import type { MappingError } from './mapping-error.js';
import type { MappingLimits } from './mapping-limits.js';

/**
 * Checks a mapping when it is saved: it must be a non-empty JSONata expression within the length limit that parses.
 * Parsing is linear in the source's length, so this runs inline; evaluation never does (see MappingEngine).
 */
export function checkMappingSyntax(
  source: string,
  limits: Pick<MappingLimits, 'maxSourceLength'>,
): MappingError | null {
  if (source.trim() === '') return { kind: 'syntax', message: 'the mapping is empty' };
  if (source.length > limits.maxSourceLength)
    return {
      kind: 'syntax',
      message: `the mapping is ${source.length} characters long; the limit is ${limits.maxSourceLength}`,
    };
  try {
    jsonata(source);
    return null;
  } catch (thrown) {
    return fromJsonataError(thrown, 'syntax');
  }
}
