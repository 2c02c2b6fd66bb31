import { RETRY_TIERS, RetryTier } from './topics.js';

export type NextStep =
  | {
      kind: 'retry';
      /** The tier this attempt belongs to (cycle step n → n-th tier). */
      tier: RetryTier;
      cycleStep: number;
      /** The retry topic to park the message in (differs from `tier` only for a long Retry-After). */
      topicTier: RetryTier;
      delayMs: number;
      dueAt: number;
    }
  | { kind: 'dead-letter' };

export interface RetryPlanInput {
  /** 0 for the main topic, n for the n-th retry tier of the current cycle. */
  failedCycleStep: number;
  /** Tier delays in ms, one per retry tier (RETRY_DELAYS). */
  delaysMs: readonly number[];
  now: number;
  /** Server-requested wait (429/503 Retry-After), already clamped by the caller. */
  retryAfterMs?: number;
  /** Max jitter as a fraction of the delay (0.1 = up to +10%). */
  jitterRatio: number;
  /** Random source in [0, 1). Injected so tests are deterministic. */
  random: () => number;
}

/**
 * Decides what follows a failed attempt: the next retry tier with its due time, or the DLT.
 * Pure: no I/O, no clock, no randomness of its own.
 */
export function planNextAttempt(input: RetryPlanInput): NextStep {
  const nextStep = input.failedCycleStep + 1;
  if (nextStep > RETRY_TIERS.length || nextStep > input.delaysMs.length) return { kind: 'dead-letter' };
  const base = input.delaysMs[nextStep - 1];
  const jittered = base + Math.floor(base * input.jitterRatio * input.random());
  const delayMs = Math.max(jittered, input.retryAfterMs ?? 0);
  const tier = RETRY_TIERS[nextStep - 1];
  return {
    kind: 'retry',
    tier,
    cycleStep: nextStep,
    topicTier: topicTierFor(delayMs, tier, input.delaysMs),
    delayMs,
    dueAt: input.now + delayMs,
  };
}

/**
 * A retry topic holds messages due roughly in publish order, because a paused partition blocks everything
 * behind its head. A wait longer than the tier's own delay (a long Retry-After) is therefore parked in the
 * slowest tier whose delay does not exceed it, instead of blocking a fast tier.
 */
function topicTierFor(delayMs: number, tier: RetryTier, delaysMs: readonly number[]): RetryTier {
  let chosen = tier;
  RETRY_TIERS.forEach((candidate, index) => {
    const candidateDelay = delaysMs[index];
    if (
      candidateDelay !== undefined &&
      candidateDelay <= delayMs &&
      candidateDelay > delaysMs[RETRY_TIERS.indexOf(chosen)]
    ) {
      chosen = candidate;
    }
  });
  return chosen;
}

/** Parses a Retry-After header (seconds or HTTP date) into ms, clamped to [0, maxMs]. */
export function parseRetryAfter(value: string | undefined, now: number, maxMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}
