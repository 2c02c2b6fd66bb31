import type { NextStep } from './retry-plan.js';
import { cutText } from './sanitize.js';
import type { EventType } from './topics.js';

/** Kafka header names carried by event messages (lead.created, lead.updated, lead.deleted) on main, retry and dead-letter topics. */
export const HEADERS = {
  /** The delivery attempt number this message is for (1 for the first). */
  attempt: 'lh-attempt',
  /** Position in the current retry cycle: 0 = main topic, 1..5 = retry tiers. A replay starts a fresh cycle. */
  cycleStep: 'lh-cycle-step',
  /** Epoch ms before which the message must not be attempted. */
  dueAt: 'lh-due-at',
  originalTopic: 'lh-original-topic',
  originalPartition: 'lh-original-partition',
  originalOffset: 'lh-original-offset',
  firstFailureAt: 'lh-first-failure-at',
  lastError: 'lh-last-error',
  lastStatus: 'lh-last-status',
  /** JSON array of every failed attempt in this cycle (DLT only). */
  history: 'lh-history',
  /** Why the message was dead-lettered (exhausted, invalid-json, invalid-event, unknown-version, unreadable-endpoint). */
  deadLetterReason: 'lh-dead-letter-reason',
  /** Whether the last failure was worth retrying later (5xx, 429, timeout, connection): automatic re-drive. */
  retryable: 'lh-retryable',
  replayedAt: 'lh-replayed-at',
  replayId: 'lh-replay-id',
  /** The delivery (one event to one endpoint) a retry, replay or dead letter is for. None on a fresh event: it fans out. */
  deliveryId: 'lh-delivery-id',
  endpointId: 'lh-endpoint-id',
} as const;

export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

export function headerText(headers: KafkaHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Retry state read from headers. Malformed values mean "first attempt", never a crash. */
export interface RetryState {
  attempt: number;
  cycleStep: number;
  dueAt: number | undefined;
  firstFailureAt: string | undefined;
  /** Set when the message is the first attempt of a DLT replay (or an admin redelivery). */
  replayId: string | undefined;
  /** The delivery the message is for; undefined on a fresh event (the dispatcher fans it out to its endpoints). */
  deliveryId: string | undefined;
  endpointId: string | undefined;
}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

export function readRetryState(headers: KafkaHeaders | undefined): RetryState {
  const attempt = positiveInt(headerText(headers, HEADERS.attempt));
  const cycleStep = positiveInt(headerText(headers, HEADERS.cycleStep));
  const dueAt = positiveInt(headerText(headers, HEADERS.dueAt));
  return {
    attempt: attempt && attempt >= 1 ? attempt : 1,
    cycleStep: cycleStep !== undefined && cycleStep <= 5 ? cycleStep : 0,
    dueAt: dueAt && dueAt > 0 ? dueAt : undefined,
    firstFailureAt: headerText(headers, HEADERS.firstFailureAt),
    replayId: headerText(headers, HEADERS.replayId),
    deliveryId: uuidOrUndefined(headerText(headers, HEADERS.deliveryId)),
    endpointId: uuidOrUndefined(headerText(headers, HEADERS.endpointId)),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidOrUndefined(text: string | undefined): string | undefined {
  return text !== undefined && UUID.test(text) ? text.toLowerCase() : undefined;
}

/** The delivery a message is for, carried from tier to tier. */
export interface DeliveryRef {
  deliveryId: string;
  endpointId: string;
}

/** One failed attempt as the DLT message's history records it. */
export interface FailedAttempt {
  attempt: number;
  tier: string;
  at: string;
  status: number | null;
  error: string | null;
}

/** What a dead letter's headers say about it. */
export interface DeadLetterInfo {
  attempts: number | null;
  firstFailureAt: string | null;
  lastError: string | null;
  lastStatus: number | null;
  reason: string | null;
  retryable: boolean;
  history: FailedAttempt[];
}

const MAX_HISTORY = 12;
const MAX_ERROR = 500;

function readHistory(headers: KafkaHeaders | undefined): FailedAttempt[] {
  try {
    const parsed: unknown = JSON.parse(headerText(headers, HEADERS.history) ?? '[]');
    return Array.isArray(parsed) ? (parsed as FailedAttempt[]).slice(-MAX_HISTORY) : [];
  } catch {
    return [];
  }
}

/** A failed attempt, as the next-tier and dead-letter headers record it. */
export interface AttemptFailure {
  attempt: number;
  tier: string;
  at: Date;
  status: number | null;
  error: string | null;
  retryable: boolean;
}

/**
 * The one place that knows the retry/delivery headers: every message on a delivery topic is built and read here
 * (first attempt, next tier, replay, dead letter, hop). Changing a header touches this file only.
 */
export const DeliveryHeaders = {
  /** A lead's first delivery (intake). */
  firstAttempt(): Record<string, string> {
    return { [HEADERS.attempt]: '1', [HEADERS.cycleStep]: '0' };
  },

  /**
   * A fresh retry cycle for a delivery that has made `attemptCount` attempts (admin redeliver, DLT replay, sweep);
   * with no delivery, a fresh event to fan out again (attempt 1 for every endpoint that has no delivery of it yet).
   */
  requeue(
    delivery: DeliveryRef | null,
    attemptCount: number,
    replay?: { replayId: string; at: Date },
    cycleStep = 0,
  ): Record<string, string> {
    return {
      [HEADERS.attempt]: String(delivery ? attemptCount + 1 : 1),
      [HEADERS.cycleStep]: String(delivery ? cycleStep : 0),
      ...(delivery
        ? { [HEADERS.deliveryId]: delivery.deliveryId, [HEADERS.endpointId]: delivery.endpointId }
        : {}),
      ...(replay
        ? { [HEADERS.replayId]: replay.replayId, [HEADERS.replayedAt]: replay.at.toISOString() }
        : {}),
    };
  },

  /**
   * The message that carries a failed lead to its next tier or to the DLT. `incoming` are the failed message's
   * headers; `origin` names where that message was consumed (kept from the first failure on).
   */
  afterFailure(
    incoming: KafkaHeaders | undefined,
    origin: { topic: string; partition: number; offset: string },
    failure: AttemptFailure,
    next: NextStep,
    delivery: DeliveryRef,
  ): Record<string, string> {
    const history = [
      ...readHistory(incoming),
      {
        attempt: failure.attempt,
        tier: failure.tier,
        at: failure.at.toISOString(),
        status: failure.status,
        error: failure.error === null ? null : cutText(failure.error, MAX_ERROR),
      },
    ].slice(-MAX_HISTORY);
    const headers: Record<string, string> = {
      [HEADERS.attempt]: String(failure.attempt + 1),
      [HEADERS.originalTopic]: headerText(incoming, HEADERS.originalTopic) ?? origin.topic,
      [HEADERS.originalPartition]:
        headerText(incoming, HEADERS.originalPartition) ?? String(origin.partition),
      [HEADERS.originalOffset]: headerText(incoming, HEADERS.originalOffset) ?? origin.offset,
      [HEADERS.firstFailureAt]: headerText(incoming, HEADERS.firstFailureAt) ?? failure.at.toISOString(),
      [HEADERS.lastError]: cutText(failure.error ?? 'unknown error', MAX_ERROR),
      [HEADERS.lastStatus]: failure.status === null ? '' : String(failure.status),
      [HEADERS.history]: JSON.stringify(history),
      [HEADERS.deliveryId]: delivery.deliveryId,
      [HEADERS.endpointId]: delivery.endpointId,
    };
    const replayId = headerText(incoming, HEADERS.replayId);
    if (replayId) headers[HEADERS.replayId] = replayId;
    if (next.kind === 'retry') {
      headers[HEADERS.cycleStep] = String(next.cycleStep);
      headers[HEADERS.dueAt] = String(next.dueAt);
    } else {
      headers[HEADERS.deadLetterReason] = 'exhausted';
      headers[HEADERS.retryable] = String(failure.retryable);
    }
    return headers;
  },

  /** A message that cannot be delivered at all (unreadable event, unknown version, unreadable endpoint settings). */
  deadLetter(
    incoming: KafkaHeaders | undefined,
    origin: { topic: string; partition: number; offset: string },
    reason: string,
    error: string,
    delivery?: DeliveryRef,
  ): Record<string, string> {
    const kept = Object.fromEntries(
      Object.entries(incoming ?? {})
        .map(([name]) => [name, headerText(incoming, name)] as const)
        .filter(
          (entry): entry is readonly [string, string] => entry[1] !== undefined && entry[0] !== HEADERS.dueAt,
        ),
    );
    return {
      ...kept,
      [HEADERS.deadLetterReason]: reason,
      [HEADERS.lastError]: cutText(error, MAX_ERROR),
      [HEADERS.retryable]: 'false',
      [HEADERS.originalTopic]: headerText(incoming, HEADERS.originalTopic) ?? origin.topic,
      [HEADERS.originalPartition]:
        headerText(incoming, HEADERS.originalPartition) ?? String(origin.partition),
      [HEADERS.originalOffset]: headerText(incoming, HEADERS.originalOffset) ?? origin.offset,
      ...(delivery
        ? { [HEADERS.deliveryId]: delivery.deliveryId, [HEADERS.endpointId]: delivery.endpointId }
        : {}),
    };
  },

  /**
   * A delivery that found no free in-flight slot (docs/isolation.md), handed on without an attempt: the same attempt
   * and cycle step, due at `dueAt`; the incoming message's other headers (origin, replay, first failure) kept.
   */
  parked(
    incoming: KafkaHeaders | undefined,
    delivery: DeliveryRef,
    attempt: number,
    cycleStep: number,
    dueAt: number,
  ): Record<string, string> {
    const kept = Object.fromEntries(
      Object.keys(incoming ?? {}).flatMap((name) => {
        const value = headerText(incoming, name);
        return value === undefined ? [] : [[name, value] as const];
      }),
    );
    return {
      ...kept,
      [HEADERS.attempt]: String(attempt),
      [HEADERS.cycleStep]: String(cycleStep),
      [HEADERS.dueAt]: String(dueAt),
      [HEADERS.deliveryId]: delivery.deliveryId,
      [HEADERS.endpointId]: delivery.endpointId,
    };
  },

  read: readRetryState,

  readDeadLetter(headers: KafkaHeaders | undefined): DeadLetterInfo {
    const nextAttempt = positiveInt(headerText(headers, HEADERS.attempt));
    const status = positiveInt(headerText(headers, HEADERS.lastStatus));
    return {
      attempts: nextAttempt && nextAttempt > 1 ? nextAttempt - 1 : null,
      firstFailureAt: headerText(headers, HEADERS.firstFailureAt) ?? null,
      lastError: headerText(headers, HEADERS.lastError) ?? null,
      lastStatus: status ?? null,
      reason: headerText(headers, HEADERS.deadLetterReason) ?? null,
      retryable: headerText(headers, HEADERS.retryable) === 'true',
      history: readHistory(headers),
    };
  },
} as const;

/**
 * The message that puts a delivery back on its path (admin redelivery, DLT replay, the stranded-delivery sweep): its
 * event's main topic again, for its next attempt, from `cycleStep` of a retry cycle (0: a fresh cycle). Without a
 * delivery, the event itself to fan out again.
 */
export function requeueMessage(
  event: EventType,
  delivery: DeliveryRef | null,
  attemptCount: number,
  options: { replay?: { replayId: string; at: Date }; cycleStep?: number } = {},
): { topic: string; headers: Record<string, string> } {
  return {
    topic: event,
    headers: DeliveryHeaders.requeue(delivery, attemptCount, options.replay, options.cycleStep ?? 0),
  };
}
