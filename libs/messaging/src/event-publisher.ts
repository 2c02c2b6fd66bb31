import kafkajs, { type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import { isMessageTooLarge } from './message-too-large.js';

export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
  /** Explicit partition (tools and tests); normally the key decides. */
  partition?: number;
}

interface Pending {
  topic: string;
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Publishes queued while a send is in flight go together in the next one (one round trip for many callers). */
const MAX_PUBLISHES_PER_SEND = 200;

/**
 * Bytes of one topic in one `sendBatch`, by default (KAFKA_MAX_SEND_BYTES). kafkajs writes a partition's messages of
 * a send as one record batch, which the broker refuses whole when it is larger than its message.max.bytes (1 MiB by
 * default); bounding a topic's bytes bounds every partition's. A message larger than this alone is sent alone.
 */
export const DEFAULT_MAX_SEND_BYTES = 512 * 1024;

/** What a record adds to its key, value and headers in a record batch (lengths, offsets, timestamps; generous). */
const RECORD_OVERHEAD_BYTES = 32;

/**
 * An idempotent producer with acks=all: a publish resolves only when the broker has the messages, which is what
 * lets callers commit (an offset, an outbox row) afterwards.
 *
 * Two rules keep the idempotent producer honest (kafkajs 2.2.4):
 * - One send at a time. After a request times out kafkajs rolls the partition's sequence number back and
 *   retries; a concurrent send could take that sequence meanwhile and be acknowledged by the broker as a
 *   duplicate without being written (a silently lost message). So publishes queue here, and whatever queued
 *   while a send was in flight goes in the next one, as one `sendBatch`.
 * - A producer whose send failed is never used again. Its sequence state may be out of step with the broker
 *   (OUT_OF_ORDER_SEQUENCE_NUMBER until restart); the next publish gets a new producer, a new producer id and
 *   fresh sequences. The failed publishes are rejected, so callers retry them (the relay keeps its rows, the
 *   dispatcher re-reads its message), and the broker's de-duplication is not relied on across producers: the
 *   consumers' lead lock is. One exception: a send of a single message refused for its size (the relay tries a
 *   row the broker may refuse alone). The broker wrote nothing (one message, one partition, refused whole) and
 *   kafkajs rolled that partition's sequence back, so the producer is still in step and is kept: replacing it
 *   (a new connection and producer id) for each oversize row cost every row behind it the reconnect.
 */
export class EventPublisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  /** Bumped whenever the producer is given up on, so a connect that finishes late is not adopted. */
  private generation = 0;
  /** How many producers were discarded after a failed send (observability and tests). */
  replacedProducers = 0;

  /**
   * @param sendTimeoutMs The longest a connect or a send may take before the producer is given up on. kafkajs can
   *   leave a producer waiting forever after requests time out against a broker that was paused (its in-flight
   *   slot is never freed); a send that hangs would hold the caller (and the relay's row locks) for good.
   * @param maxSendBytes The most bytes of one topic (so of any partition) a `sendBatch` carries; more goes in the
   *   next send. Keep it under the broker's message.max.bytes.
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly sendTimeoutMs = 30_000,
    private readonly maxSendBytes = DEFAULT_MAX_SEND_BYTES,
  ) {}

  async connect(): Promise<void> {
    await this.current();
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (!messages.length) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the publisher is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.discard();
  }

  /**
   * Sends until the queue is empty. It clears `draining` itself, in the same synchronous step as its last look at
   * the queue: clearing it in a `.finally()` would leave a gap in which a publish sees a drain "running", queues,
   * and is never sent.
   */
  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_PUBLISHES_PER_SEND);
      try {
        const producer = await within(this.current(), this.sendTimeoutMs, 'connecting to Kafka');
        for (const topicMessages of bySize(merge(batch), this.maxSendBytes)) {
          await within(
            producer.sendBatch({ acks: -1, topicMessages }),
            this.sendTimeoutMs,
            'a produce request',
          );
        }
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        if (isMessageTooLarge(error) && batch.length === 1 && batch[0].messages.length === 1) continue;
        this.replacedProducers++;
        void this.discard();
      }
    }
    this.draining = undefined;
  }

  private current(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (this.connecting) return this.connecting;
    const generation = this.generation;
    const connecting = (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
      } catch (error) {
        void within(producer.disconnect(), this.sendTimeoutMs, 'disconnecting').catch(() => undefined);
        throw error;
      }
      if (this.closed || generation !== this.generation) {
        // Closed, or given up on, while connecting: a producer kept now would never be closed.
        void within(producer.disconnect(), this.sendTimeoutMs, 'disconnecting').catch(() => undefined);
        throw new Error(this.closed ? 'the publisher is closed' : 'connecting to Kafka took too long');
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      if (this.connecting === connecting) this.connecting = undefined;
    });
    this.connecting = connecting;
    return connecting;
  }

  /** Forgets the producer (and any connect in progress) at once; closing it may itself hang, so it is not awaited beyond the timeout. */
  private discard(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    this.generation++;
    return producer
      ? within(producer.disconnect(), this.sendTimeoutMs, 'disconnecting').catch(() => undefined)
      : Promise.resolve();
  }
}

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Consecutive publishes to one topic become one entry; order across topics is kept. */
function merge(batch: Pending[]): TopicMessages[] {
  const merged: TopicMessages[] = [];
  for (const { topic, messages } of batch) {
    const last = merged[merged.length - 1];
    if (last?.topic === topic) last.messages.push(...messages);
    else merged.push({ topic, messages: [...messages] });
  }
  return merged;
}

/**
 * The merged batch cut into sends, in order, each carrying at most `maxBytes` of any one topic (a message larger
 * than that alone goes alone). Usually one send: the cut only happens for large messages or large backlogs.
 */
function bySize(merged: TopicMessages[], maxBytes: number): TopicMessages[][] {
  const sends: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytesByTopic = new Map<string, number>();
  for (const { topic, messages } of merged) {
    for (const message of messages) {
      const size = messageBytes(message as OutgoingMessage);
      const used = bytesByTopic.get(topic) ?? 0;
      if (used > 0 && used + size > maxBytes) {
        sends.push(current);
        current = [];
        bytesByTopic = new Map();
      }
      let last = current[current.length - 1];
      if (last?.topic !== topic) {
        last = { topic, messages: [] };
        current.push(last);
      }
      last.messages.push(message);
      bytesByTopic.set(topic, (bytesByTopic.get(topic) ?? 0) + size);
    }
  }
  if (current.length) sends.push(current);
  return sends;
}

/** A message's size in a record batch, about (key, value, headers and the record's own fields). */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
