/** Bounds on an endpoint's custom request headers (they travel on every request). */
export const CUSTOM_HEADERS_MAX = 20;
export const CUSTOM_HEADER_VALUE_MAX = 1_000;
export const CUSTOM_HEADERS_TOTAL_MAX = 8_192;

/** RFC 9110 token: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/**
 * What an HTTP/1.1 field value may not hold (RFC 9110 §5.5: visible ASCII, space, tab and obs-text 0x80–0xFF):
 * Node's and undici's clients refuse anything else, so such a value would fail every delivery of its endpoint.
 */
const UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;

/** Hop-by-hop and transport headers (RFC 9110 §7.6.1) and what the sender sets itself. */
const RESERVED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'expect',
  'user-agent',
]);

/** Headers that prove or identify a delivery: only we set them, or a receiver's check would mean nothing. */
function isSignatureHeader(name: string): boolean {
  return name.startsWith('webhook-') || name.startsWith('x-webhook-') || name.startsWith('x-leadhooks-');
}

/**
 * What is wrong with a set of custom headers (each message names the header), or nothing: names must be tokens,
 * values single-line and bounded; hop-by-hop, transport and signature headers are refused; the set is bounded.
 */
export function customHeaderProblems(headers: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(headers);
  if (entries.length > CUSTOM_HEADERS_MAX) problems.push(`at most ${CUSTOM_HEADERS_MAX} custom headers`);
  let total = 0;
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name))
      problems.push(`header name '${name.slice(0, 100)}' is not a valid HTTP header name`);
    else if (RESERVED.has(lower))
      problems.push(`header '${name}' is set by the transport and cannot be overridden`);
    else if (isSignatureHeader(lower)) problems.push(`header '${name}' is reserved for delivery signatures`);
    if (seen.has(lower)) problems.push(`header '${name}' is given twice`);
    seen.add(lower);
    if (typeof value !== 'string') {
      problems.push(`header '${name}' must have a string value`);
      continue;
    }
    if (/[\r\n\0]/.test(value)) problems.push(`header '${name}' must be a single line`);
    else if (UNSENDABLE.test(value))
      problems.push(
        `header '${name}' holds a character no HTTP client can send (control characters and characters beyond Latin-1 are refused)`,
      );
    if (value.length > CUSTOM_HEADER_VALUE_MAX)
      problems.push(`header '${name}' is longer than ${CUSTOM_HEADER_VALUE_MAX} characters`);
    total += name.length + value.length;
  }
  if (total > CUSTOM_HEADERS_TOTAL_MAX)
    problems.push(`custom headers exceed ${CUSTOM_HEADERS_TOTAL_MAX} bytes in all`);
  return problems;
}
