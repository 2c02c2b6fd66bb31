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
  /** Attempts per cycle, first try included (the endpoint's `max_attempts`, 1–6); every tier when undefined. */
  maxAttempts?: number;
  /** The failure is final whatever the tiers left (a 4xx on an endpoint with `retry_on_4xx: false`). */
  final?: boolean;
}

/**
 * Decides what follows a failed attempt: the next retry tier with its due time, or the DLT.
 * Pure: no I/O, no clock, no randomness of its own.
 */
export function planNextAttempt(input: RetryPlanInput): NextStep {
  const nextStep = input.failedCycleStep + 1;
  if (input.final || (input.maxAttempts !== undefined && nextStep >= input.maxAttempts))
    return { kind: 'dead-letter' };
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

/** 4xx answers that may heal by themselves (timeout, conflict, too early, too many requests): always retried. */
const TRANSIENT_4XX = new Set([408, 409, 425, 429]);

/**
 * Whether a receiver's answer ends the delivery at once under the endpoint's policy (SPEC §14): with
 * `retry_on_4xx: false`, a 4xx other than 408/409/425/429 is the receiver saying no, and asking again changes nothing.
 */
export function endsOnClientError(status: number | null, retryOn4xx: boolean): boolean {
  return !retryOn4xx && status !== null && status >= 400 && status < 500 && !TRANSIENT_4XX.has(status);
}
