const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `10s`, `1m`, `2h`, `30d` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`'${text}' is not a duration (use e.g. 500ms, 10s, 1m, 2h, 30d)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']);
}
