/**
 * Text from outside (what a receiver answered, a socket's error message) made safe to store and to put in a header.
 * Postgres refuses NUL in `text` and `\u0000` or an unpaired surrogate in `jsonb`, and one such string fails the whole
 * statement it is in: a binary, UTF-16 or gzip body carries NUL bytes, and a cut through an emoji leaves half of its
 * surrogate pair. Pure functions, no I/O.
 */

const REPLACEMENT = '\uFFFD';
const ELLIPSIS = '…';

/** The text with NUL and every unpaired surrogate replaced by U+FFFD: storable in `text` and `jsonb` as it is. */
export function sanitizeText(text: string): string {
  return (text.includes('\u0000') ? text.replace(/\u0000/g, REPLACEMENT) : text).toWellFormed();
}

/**
 * Sanitized and at most `max` UTF-16 units long; a longer text is cut between two code points (never inside a
 * surrogate pair) and ends with '…'.
 */
export function cutText(text: string, max: number): string {
  const clean = sanitizeText(text);
  if (clean.length <= max) return clean;
  if (max <= 0) return '';
  let end = max - 1;
  const last = clean.charCodeAt(end - 1);
  // A high surrogate at the cut would be left without its low half.
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return `${clean.slice(0, end)}${ELLIPSIS}`;
}

/** `cutText` of the text with its whitespace runs (newlines too) folded into single spaces. */
export function oneLine(text: string, max: number): string {
  return cutText(text.replace(/\s+/g, ' ').trim(), max);
}

/** `cutText` that passes null through (optional columns). */
export function cutOptional(text: string | null | undefined, max: number): string | null {
  return text === null || text === undefined ? null : cutText(text, max);
}
