import { SIGNATURE_HEADERS } from './signature-schemes.js';

/** What a source's mapping reads (SPEC §14): `{body, headers, query}`. */
export interface MappingInput {
  body: unknown;
  /** Lower-case names; credentials left out (see isCredentialName). */
  headers: Record<string, string>;
  query: Record<string, unknown>;
}

/** Names that carry credentials: their values are never offered to a mapping nor kept in the request log. */
const CREDENTIAL_NAME =
  /auth|cookie|secret|token|signature|password|passwd|api[-_]?key|session|credential|private[-_]?key|^key$|^sig$/i;

/** Headers the transport adds that say nothing about the submission. */
const TRANSPORT_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'content-length',
  'host',
]);

const MAX_HEADERS = 64;
const MAX_HEADER_VALUE = 2_000;
const MAX_QUERY_KEYS = 64;

export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) || Object.values(SIGNATURE_HEADERS).some((names) => names.includes(name));
}

/** The request's headers a mapping may read: lower-cased, credentials and transport headers left out, bounded. */
export function offeredHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const offered: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    if (Object.keys(offered).length >= MAX_HEADERS) break;
    const name = rawName.toLowerCase();
    if (value === undefined || TRANSPORT_HEADERS.has(name) || isCredentialName(name)) continue;
    offered[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, MAX_HEADER_VALUE);
  }
  return offered;
}

/** The URL's query a mapping may read: credential-looking parameters left out, bounded. */
export function offeredQuery(query: unknown): Record<string, unknown> {
  const offered: Record<string, unknown> = {};
  if (!query || typeof query !== 'object') return offered;
  for (const [name, value] of Object.entries(query)) {
    if (Object.keys(offered).length >= MAX_QUERY_KEYS) break;
    if (isCredentialName(name)) continue;
    offered[name] = value;
  }
  return offered;
}

/**
 * Replaces every occurrence of `secret` in the strings of a parsed value, in place, walking without recursion.
 * Tools echo the URL they post to (Jotform's `webhookURL`), and that URL holds the source's token: it must not reach
 * a lead or the log.
 */
export function redactEverywhere<T>(value: T, secret: string, replacement: string): T {
  if (!secret) return value;
  const replace = (text: string) => (text.includes(secret) ? text.replaceAll(secret, replacement) : text);
  if (typeof value === 'string') return replace(value) as T;
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === 'string') record[key] = replace(child);
      else if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return value;
}
