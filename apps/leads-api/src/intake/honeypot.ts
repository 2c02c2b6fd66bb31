/**
 * Whether a submission filled the honeypot field (an input people never see): only a non-empty string is a bot's
 * answer; `false`, `0` or a blank value from a real form is not.
 */
export function isHoneypotFilled(body: unknown, field: string): boolean {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.some((item) => typeof item === 'string' && item.trim() !== '');
}
