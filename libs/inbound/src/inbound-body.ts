/** What a source accepts: JSON (and `+json` types), urlencoded forms and multipart forms. */
export type InboundBodyKind = 'json' | 'urlencoded' | 'multipart' | 'empty';

export type ParsedInboundBody =
  { ok: true; kind: InboundBodyKind; body: unknown } | { ok: false; status: 400 | 415; message: string };

/** Deepest nesting accepted in a body: form tools send a few levels; thousands only come from an attacker. */
export const MAX_BODY_DEPTH = 64;

/**
 * Parses a body as received from a tool. Never throws: an unsupported type is a 415, a body its type cannot read is
 * a 400 (both name what was wrong). A form's repeated field becomes a list (as intake reads forms); a multipart
 * file's content is never kept, only its name, type and size. Invalid UTF-8 reads as U+FFFD.
 */
export async function parseInboundBody(contentType: string | null, raw: Buffer): Promise<ParsedInboundBody> {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!mediaType) {
    if (raw.length === 0) return { ok: true, kind: 'empty', body: {} };
    return {
      ok: false,
      status: 415,
      message: 'the body has no Content-Type; send JSON, urlencoded or multipart',
    };
  }
  if (mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType))
    return parseJson(raw);
  if (mediaType === 'application/x-www-form-urlencoded') return parseUrlencoded(raw);
  if (mediaType === 'multipart/form-data') return parseMultipart(contentType!, raw);
  return {
    ok: false,
    status: 415,
    message: `Content-Type '${printable(mediaType)}' is not accepted; send JSON, urlencoded or multipart`,
  };
}

function parseJson(raw: Buffer): ParsedInboundBody {
  if (raw.length === 0) return { ok: false, status: 400, message: 'the JSON body is empty' };
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      status: 400,
      message: `the body is not valid JSON (${error instanceof Error ? error.message : 'unreadable'})`,
    };
  }
  return deeperThan(body, MAX_BODY_DEPTH)
    ? { ok: false, status: 400, message: `the body is nested deeper than ${MAX_BODY_DEPTH} levels` }
    : { ok: true, kind: 'json', body };
}

function parseUrlencoded(raw: Buffer): ParsedInboundBody {
  const body: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) add(body, key, value);
  return { ok: true, kind: 'urlencoded', body: { ...body } };
}

async function parseMultipart(contentType: string, raw: Buffer): Promise<ParsedInboundBody> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    return {
      ok: false,
      status: 400,
      message: `the multipart body is malformed (${error instanceof Error ? error.message : 'unreadable'})`,
    };
  }
  const body: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of form) {
    // A file's content is never kept: a lead carries what was typed, and uploads are the tool's to store.
    add(
      body,
      key,
      typeof value === 'string'
        ? value
        : `[file ${value.name} (${value.type || 'unknown type'}, ${value.size} bytes)]`,
    );
  }
  return { ok: true, kind: 'multipart', body: { ...body } };
}

function add(body: Record<string, string | string[]>, key: string, value: string): void {
  const previous = body[key];
  if (previous === undefined) body[key] = value;
  else body[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
}

/** Whether a parsed value nests deeper than `limit` (walked without recursion, so any depth is safe to ask about). */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length) {
    const next = stack.pop()!;
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}
