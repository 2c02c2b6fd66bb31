/**
 * Text and JSON the request log can store whatever a sender put in them: Postgres refuses NUL in text and
 * `\u0000` or unpaired surrogates in jsonb, so such characters become U+FFFD, and sizes are bounded.
 */
export function storableText(text: string, maxChars: number): { text: string; truncated: boolean } {
  const truncated = text.length > maxChars;
  const cut = truncated ? text.slice(0, maxChars) : text;
  return { text: cut.replace(/\u0000/g, '\uFFFD').toWellFormed(), truncated };
}

const MAX_DEPTH = 8;
const MAX_STRING = 2_000;
const MAX_ENTRIES = 100;

/** A copy of a small parsed value (headers, query) that jsonb can store: strings cleaned, depth and size bounded. */
export function storableJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storableText(value, MAX_STRING).text;
  if (value === null || typeof value !== 'object')
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (depth >= MAX_DEPTH) return '[nested too deeply]';
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((item) => storableJson(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value).slice(0, MAX_ENTRIES))
    copy[storableText(key, 200).text] = storableJson(child, depth + 1);
  return copy;
}

/**
 * The body as the log keeps it: the JSON text of what the mapping read (for a form, its fields), so a preview can run
 * the mapping on it again; for a body that could not be read, its first bytes as text. Cut at `maxChars`.
 */
export function bodyForLog(
  body: { parsed: unknown } | { raw: Buffer },
  maxChars: number,
): { text: string; truncated: boolean } {
  if ('raw' in body) return storableText(body.raw.subarray(0, maxChars * 4).toString('utf8'), maxChars);
  // JSON.stringify escapes NUL and unpaired surrogates, so the text is storable as it is, only cut.
  return storableText(JSON.stringify(body.parsed) ?? 'null', maxChars);
}
