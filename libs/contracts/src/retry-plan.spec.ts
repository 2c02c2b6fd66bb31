import { readRetryState, HEADERS } from './headers.js';
import { parseRetryAfter, planNextAttempt } from './retry-plan.js';

const delaysMs = [60_000, 120_000, 240_000, 480_000, 960_000];
const base = { delaysMs, now: 1_000, jitterRatio: 0.1, random: () => 0 };

describe(planNextAttempt.name, () => {
  it('walks the tiers 1m → 16m, then dead-letters', () => {
    const tiers = [0, 1, 2, 3, 4].map((failedCycleStep) => planNextAttempt({ ...base, failedCycleStep }));
    for (const step of tiers) expect(step.kind === 'retry' && step.topicTier === step.tier).toBe(true);
    expect(tiers.map((step) => (step.kind === 'retry' ? [step.tier, step.delayMs] : step.kind))).toEqual([
      ['1m', 60_000],
      ['2m', 120_000],
      ['4m', 240_000],
      ['8m', 480_000],
      ['16m', 960_000],
    ]);
    expect(planNextAttempt({ ...base, failedCycleStep: 5 })).toEqual({ kind: 'dead-letter' });
  });

  it('adds at most the configured jitter', () => {
    const step = planNextAttempt({ ...base, failedCycleStep: 0, random: () => 0.999 });
    expect(step).toMatchObject({ kind: 'retry', delayMs: 65_994, dueAt: 66_994 });
  });

  it('waits at least as long as Retry-After asks', () => {
    const step = planNextAttempt({ ...base, failedCycleStep: 0, retryAfterMs: 300_000 });
    // Still the first retry of the cycle, but parked in the 4m topic so it does not block the 1m partition.
    expect(step).toMatchObject({
      kind: 'retry',
      tier: '1m',
      cycleStep: 1,
      topicTier: '4m',
      delayMs: 300_000,
      dueAt: 301_000,
    });
  });
});

describe(parseRetryAfter.name, () => {
  it('reads seconds and HTTP dates, clamped', () => {
    expect(parseRetryAfter('30', 0, 3_600_000)).toBe(30_000);
    expect(parseRetryAfter('999999', 0, 3_600_000)).toBe(3_600_000);
    expect(parseRetryAfter(new Date(90_000).toUTCString(), 0, 3_600_000)).toBe(90_000);
    expect(parseRetryAfter('soon', 0, 1000)).toBeUndefined();
  });
});

describe(readRetryState.name, () => {
  it('treats malformed headers as a first attempt', () => {
    expect(readRetryState({ [HEADERS.attempt]: 'x', [HEADERS.dueAt]: 'later' })).toEqual({
      attempt: 1,
      cycleStep: 0,
      dueAt: undefined,
      firstFailureAt: undefined,
    });
    expect(
      readRetryState({
        [HEADERS.attempt]: Buffer.from('3'),
        [HEADERS.cycleStep]: '2',
        [HEADERS.dueAt]: '1700000000000',
      }),
    ).toMatchObject({
      attempt: 3,
      cycleStep: 2,
      dueAt: 1_700_000_000_000,
    });
  });
});
