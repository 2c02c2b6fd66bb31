/** Kafka header names carried by lead.created messages on the main, retry and dead-letter topics. */
export const HEADERS = {
  /** The lead attempt number this message is for (1 for the first delivery). */
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
  /** Why the message was dead-lettered (exhausted, invalid-event, unknown-version). */
  deadLetterReason: 'lh-dead-letter-reason',
  replayedAt: 'lh-replayed-at',
  replayId: 'lh-replay-id',
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
}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}

export function readRetryState(headers: KafkaHeaders | undefined): RetryState {
  const attempt = positiveInt(headerText(headers, HEADERS.attempt));
  const cycleStep = positiveInt(headerText(headers, HEADERS.cycleStep));
  const dueAt = positiveInt(headerText(headers, HEADERS.dueAt)) ?? Number(headerText(headers, HEADERS.dueAt));
  return {
    attempt: attempt && attempt >= 1 ? attempt : 1,
    cycleStep: cycleStep ?? 0,
    dueAt: Number.isFinite(dueAt) && dueAt > 0 ? dueAt : undefined,
    firstFailureAt: headerText(headers, HEADERS.firstFailureAt),
  };
}
