import type { KafkaMessage } from 'kafkajs';

/** What a handler gets for one Kafka message, whatever the topic prefix in use. */
export interface ConsumedMessage {
  /** Logical topic (the handler's pattern), e.g. `lead.created.retry.2m`. */
  topic: string;
  physicalTopic: string;
  partition: number;
  message: KafkaMessage;
  /** Keeps the group membership alive during long work. */
  heartbeat: () => Promise<void>;
}

/**
 * A handler's verdict: `done` resolves the offset (the message was handled or handed on);
 * `defer` leaves it unresolved, pauses its partition and re-reads it at `untilMs`.
 */
export type HandlerOutcome =
  | { kind: 'done' }
  | { kind: 'defer'; untilMs: number; reason: string }
  /** The handler failed (as if it had thrown, but with its own error text, which Nest's exception filter would hide). */
  | { kind: 'failed'; error: string };

export const DONE: HandlerOutcome = { kind: 'done' };
