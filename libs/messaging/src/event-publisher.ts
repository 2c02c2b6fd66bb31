import kafkajs, { type Kafka, type Producer, type TopicMessages } from 'kafkajs';

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
 *   consumers' lead lock is.
 */
export class EventPublisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  /** How many producers were discarded after a failed send (observability and tests). */
  replacedProducers = 0;

  constructor(private readonly kafka: Kafka) {}

  async connect(): Promise<void> {
    await this.current();
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (!messages.length) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the publisher is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, resolve, reject });
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
    });
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.discard();
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_PUBLISHES_PER_SEND);
      try {
        const producer = await this.current();
        await producer.sendBatch({ acks: -1, topicMessages: merge(batch) });
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        this.replacedProducers++;
        await this.discard();
      }
    }
  }

  private current(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        // Closed while connecting: a producer made now would never be closed (and would keep the process alive).
        await producer.disconnect().catch(() => undefined);
        throw new Error('the publisher is closed');
      }
      this.producer = producer;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async discard(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
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
