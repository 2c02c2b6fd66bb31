import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { ConsumedMessage, HandlerOutcome } from './consumed-message.js';

export interface DueTimeKafkaOptions {
  kafka: Kafka;
  groupId: string;
  /** Maps a handler pattern (logical topic) to the physical topic on the broker. */
  physicalTopic: (logical: string) => string;
  /** Patterns that must each have exactly one handler; start-up fails otherwise. */
  requiredPatterns: readonly string[];
  /** Epoch ms before which a message must not be handled, or undefined for "now". */
  dueAt: (message: KafkaMessage) => number | undefined;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Low, so a resumed partition is fetched again promptly. */
  maxWaitTimeInMs: number;
  partitionsConsumedConcurrently: number;
  /** Messages of one partition handled at once (different keys only; one key is always sequential). */
  maxInFlightPerPartition: number;
  /** Back-off before re-reading a message whose handler threw. */
  errorBackoffMs: number;
}

type PartitionKey = `${string}:${number}`;

/**
 * A NestJS transport over kafkajs for delay tiers: handlers are declared with @EventPattern, and a message
 * whose due time has not come pauses its partition until it has. The stock Kafka transport cannot do that
 * (it resolves every message it hands to a handler), hence this strategy.
 *
 * Offsets: `eachBatchAutoResolve` is off; a message is resolved only after its handler said `done`
 * (handled, or handed on to the next topic), so a crash never commits past an unhandled message.
 * Nothing sleeps inside a handler: a not-yet-due message makes us pause() the partition, schedule resume()
 * and return; kafkajs then fetches from the first unresolved offset when the partition is resumed.
 */
export class DueTimeKafkaServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(DueTimeKafkaServer.name);
  private consumer: Consumer | undefined;
  private readonly resumeTimers = new Map<PartitionKey, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly options: DueTimeKafkaOptions) {
    super();
  }

  on(): void {
    throw new Error('DueTimeKafkaServer does not emit events');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('Not listening');
    return this.consumer as T;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics = this.resolveTopics();
      const consumer = this.options.kafka.consumer({
        groupId: this.options.groupId,
        sessionTimeout: this.options.sessionTimeoutMs,
        heartbeatInterval: this.options.heartbeatIntervalMs,
        maxWaitTimeInMs: this.options.maxWaitTimeInMs,
        allowAutoTopicCreation: false,
      });
      this.consumer = consumer;
      consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        this.log.error(`Kafka consumer crashed: ${error.message} (restart: ${String(restart)})`);
        // Without a restart the process can do nothing useful; exit so the supervisor restarts it.
        if (!restart && !this.closing) process.exit(1);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.track(this.handleBatch(payload, topics)),
      });
      this.log.log(`Consuming ${[...topics.keys()].join(', ')} as group ${this.options.groupId}`);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.resumeTimers.values()) clearTimeout(timer);
    this.resumeTimers.clear();
    // kafkajs' disconnect waits for the running batches, commits resolved offsets and leaves the group.
    await this.consumer?.disconnect();
    await Promise.allSettled(this.inFlight);
  }

  /** Physical topic → handler, failing on a required pattern without a handler. */
  private resolveTopics(): Map<string, { pattern: string; handler: MessageHandler }> {
    const topics = new Map<string, { pattern: string; handler: MessageHandler }>();
    const missing: string[] = [];
    for (const pattern of this.options.requiredPatterns) {
      const handler = this.getHandlerByPattern(pattern);
      if (!handler) missing.push(pattern);
      else topics.set(this.options.physicalTopic(pattern), { pattern, handler });
    }
    for (const pattern of this.messageHandlers.keys()) {
      if (!this.options.requiredPatterns.includes(pattern)) {
        throw new Error(`@EventPattern('${pattern}') names a topic this transport does not consume`);
      }
    }
    if (missing.length) throw new Error(`No @EventPattern handler for: ${missing.join(', ')}`);
    return topics;
  }

  /**
   * Handles a batch's due messages concurrently (up to maxInFlightPerPartition), one at a time per message
   * key, so a lead's messages keep their order. Offsets are resolved only over the contiguous prefix of
   * handled messages. The first message that is not due, or whose handler defers, stops the batch: nothing
   * after it starts, the partition is paused until it is due, and it is fetched again from there; messages
   * after it that had already finished are then seen again, which the lead lock turns into no-ops.
   */
  private async handleBatch(
    payload: EachBatchPayload,
    topics: Map<string, { pattern: string; handler: MessageHandler }>,
  ): Promise<void> {
    const { batch } = payload;
    const route = topics.get(batch.topic);
    if (!route) throw new Error(`Received a message from unexpected topic ${batch.topic}`);
    const messages = batch.messages;
    const handled = new Array<boolean>(messages.length).fill(false);
    let resolved = 0;
    let stopAt = messages.length;
    let resumeAt: number | undefined;
    const stop = (index: number, untilMs: number) => {
      stopAt = Math.min(stopAt, index);
      resumeAt = Math.min(resumeAt ?? untilMs, untilMs);
    };
    const advance = () => {
      while (resolved < stopAt && handled[resolved]) payload.resolveOffset(messages[resolved++].offset);
    };
    const running = new Set<Promise<void>>();
    const lastOfKey = new Map<string, Promise<void>>();

    for (let index = 0; index < stopAt; index++) {
      while (running.size >= this.options.maxInFlightPerPartition) await Promise.race(running);
      if (index >= stopAt || !payload.isRunning() || payload.isStale() || this.closing) break;
      const message = messages[index];
      const dueAt = this.options.dueAt(message);
      if (dueAt !== undefined && dueAt > Date.now()) {
        stop(index, dueAt);
        break;
      }
      const key = message.key?.toString('latin1') ?? `offset:${message.offset}`;
      const previous = lastOfKey.get(key);
      const task = (async () => {
        if (previous) await previous;
        if (index >= stopAt) return;
        const outcome = await this.invoke(route, batch.topic, batch.partition, message, () => payload.heartbeat());
        if (outcome.kind === 'defer') return stop(index, outcome.untilMs);
        handled[index] = true;
        advance();
        await payload.heartbeat().catch(() => undefined);
      })();
      lastOfKey.set(key, task);
      running.add(task);
      void task.finally(() => running.delete(task)).catch(() => undefined);
    }
    await Promise.all(running);
    advance();
    if (resumeAt !== undefined && !this.closing) this.pauseUntil(batch.topic, batch.partition, resumeAt, () => payload.pause());
  }

  private async invoke(
    route: { pattern: string; handler: MessageHandler },
    physicalTopic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<HandlerOutcome> {
    const consumed: ConsumedMessage = { topic: route.pattern, physicalTopic, partition, message, heartbeat };
    try {
      const result: unknown = await lastValueFrom(this.transformToObservable(await route.handler(consumed)), {
        defaultValue: undefined,
      });
      return isOutcome(result) ? result : { kind: 'done' };
    } catch (error) {
      this.log.error(
        `Handler for ${route.pattern} failed on partition ${partition} offset ${message.offset}; ` +
          `re-reading in ${this.options.errorBackoffMs} ms: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { kind: 'defer', untilMs: Date.now() + this.options.errorBackoffMs, reason: 'handler error' };
    }
  }

  private pauseUntil(topic: string, partition: number, untilMs: number, pause: () => () => void): void {
    const key: PartitionKey = `${topic}:${partition}`;
    const resume = pause();
    clearTimeout(this.resumeTimers.get(key));
    const delay = Math.max(0, untilMs - Date.now());
    const timer = setTimeout(() => {
      this.resumeTimers.delete(key);
      if (!this.closing) resume();
    }, delay);
    this.resumeTimers.set(key, timer);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }
}

function isOutcome(value: unknown): value is HandlerOutcome {
  return typeof value === 'object' && value !== null && 'kind' in value && (value.kind === 'done' || value.kind === 'defer');
}
