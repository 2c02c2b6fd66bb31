import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { ConsumedMessage, HandlerOutcome } from './consumed-message.js';
import { PartitionSchedule } from './partition-schedule.js';

export interface DueTimeKafkaOptions {
  kafka: Kafka;
  groupId: string;
  /** Maps a handler pattern (logical topic) to the physical topic on the broker. */
  physicalTopic: (logical: string) => string;
  /** Patterns that must each have exactly one handler; start-up fails otherwise. */
  requiredPatterns: readonly string[];
  /** Epoch ms before which a message must not be handled, or undefined for "now". */
  dueAt: (message: KafkaMessage, logicalTopic: string) => number | undefined;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Low, so new messages are fetched promptly. */
  maxWaitTimeInMs: number;
  /** Partitions whose batches kafkajs hands over at once (each is only queued, so this can be high). */
  partitionsConsumedConcurrently: number;
  /** Messages of one partition handled at once (different keys only; one key is always sequential). */
  maxInFlightPerPartition: number;
  /** Fetched messages held per partition; beyond this the partition is paused until half of them are done. */
  maxBufferedPerPartition: number;
  /** How often handled offsets are committed. */
  commitIntervalMs: number;
  /** Back-off before trying a message again whose handler threw. */
  errorBackoffMs: number;
  /** On close, how long in-flight handlers may take to finish before the consumer leaves anyway. */
  drainTimeoutMs: number;
}

interface Route {
  pattern: string;
  handler: MessageHandler;
}

/** One assigned partition's fetched work, for one group generation. */
class PartitionWork {
  readonly schedule = new PartitionSchedule<KafkaMessage>();
  timer: NodeJS.Timeout | undefined;
  resume: (() => void) | undefined;
  revoked = false;
  committed: string | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly route: Route,
  ) {}
}

/**
 * A NestJS transport over kafkajs for delay tiers: handlers are declared with @EventPattern, and each message is
 * started no earlier than its due time. The stock Kafka transport cannot do that (it resolves every message it
 * hands to a handler), hence this strategy.
 *
 * Fetching is decoupled from handling: each fetched batch is handed to its partition's schedule and kafkajs
 * fetches on at once, so one slow or not-yet-due message never stalls the others (a retry with a long
 * Retry-After, a leased lead, a rate-limited site, the slowest POST of a batch). Messages of one key (one lead)
 * still run one at a time, in order. A partition holding `maxBufferedPerPartition` messages is paused until half
 * are done.
 *
 * Offsets: kafkajs commits nothing itself (autoCommit off); this transport commits, every `commitIntervalMs`, the
 * first offset of each partition that is not done (handled, or handed on to the next topic). A crash therefore
 * re-reads from the oldest unfinished message, never past one; what is re-read and was already handled is a
 * no-op through the lead lock.
 *
 * Rebalances: when the group rebalances, work not yet started is dropped at once (the new owner reads it from
 * the committed offset) and running handlers finish; the lead lock's lease guards any overlap.
 */
export class DueTimeKafkaServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(DueTimeKafkaServer.name);
  private consumer: Consumer | undefined;
  private readonly work = new Map<string, PartitionWork>();
  private readonly inFlight = new Set<Promise<void>>();
  private heartbeat: (() => Promise<void>) | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private closing = false;
  /** A heartbeat said the group is rebalancing: start nothing new until it has settled (or this passes). */
  private settlingUntil = 0;

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

  /** Messages fetched and not yet done, over all partitions (metrics). */
  get buffered(): number {
    let total = 0;
    for (const work of this.work.values()) total += work.schedule.size;
    return total;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const routes = this.resolveRoutes();
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
      consumer.on(consumer.events.REBALANCING, () => this.revokeAll('the group is rebalancing'));
      consumer.on(consumer.events.GROUP_JOIN, () => this.revokeAll('joined the group with a new assignment'));
      await consumer.connect();
      await consumer.subscribe({ topics: [...routes.keys()], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise; the batch is only queued here
        eachBatch: async (payload) => this.accept(payload, routes),
      });
      this.commitTimer = setInterval(() => void this.commit(), this.options.commitIntervalMs);
      this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
      this.log.log(`Consuming ${[...routes.keys()].join(', ')} as group ${this.options.groupId}`);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.commitTimer);
    clearInterval(this.heartbeatTimer);
    for (const work of this.work.values()) {
      clearTimeout(work.timer);
      work.schedule.clearWaiting();
    }
    // Running deliveries finish and record (the lease covers them either way); then their offsets are committed.
    await Promise.race([
      Promise.allSettled(this.inFlight),
      new Promise((resolve) => setTimeout(resolve, this.options.drainTimeoutMs).unref()),
    ]);
    await this.commit();
    await this.consumer?.disconnect();
  }

  /** Physical topic → handler, failing on a required pattern without a handler. */
  private resolveRoutes(): Map<string, Route> {
    const routes = new Map<string, Route>();
    const missing: string[] = [];
    for (const pattern of this.options.requiredPatterns) {
      const handler = this.getHandlerByPattern(pattern);
      if (!handler) missing.push(pattern);
      else routes.set(this.options.physicalTopic(pattern), { pattern, handler });
    }
    for (const pattern of this.messageHandlers.keys()) {
      if (!this.options.requiredPatterns.includes(pattern)) {
        throw new Error(`@EventPattern('${pattern}') names a topic this transport does not consume`);
      }
    }
    if (missing.length) throw new Error(`No @EventPattern handler for: ${missing.join(', ')}`);
    return routes;
  }

  /** Queues a fetched batch on its partition's schedule and lets kafkajs fetch on; offsets are resolved only to move the fetch position. */
  private accept(payload: EachBatchPayload, routes: Map<string, Route>): void {
    const { batch } = payload;
    this.heartbeat = () => payload.heartbeat();
    if (this.closing || !payload.isRunning() || payload.isStale()) return;
    const route = routes.get(batch.topic);
    if (!route) throw new Error(`Received a message from unexpected topic ${batch.topic}`);
    const key = `${batch.topic}:${batch.partition}`;
    let work = this.work.get(key);
    if (!work) {
      work = new PartitionWork(batch.topic, batch.partition, route);
      this.work.set(key, work);
    }
    for (const message of batch.messages) {
      work.schedule.add({
        offset: message.offset,
        key: message.key?.toString('latin1') ?? `offset:${message.offset}`,
        dueAt: this.options.dueAt(message, route.pattern) ?? 0,
        payload: message,
      });
      payload.resolveOffset(message.offset);
    }
    if (work.schedule.size >= this.options.maxBufferedPerPartition && !work.resume) {
      work.resume = payload.pause();
    }
    this.pump(work);
  }

  /** Starts whatever may start on this partition now, and arms a timer for the next message that comes due. */
  private pump(work: PartitionWork): void {
    if (work.revoked || this.closing) return;
    clearTimeout(work.timer);
    work.timer = undefined;
    const now = Date.now();
    if (now < this.settlingUntil) {
      work.timer = setTimeout(() => this.pump(work), Math.min(500, this.settlingUntil - now));
      return;
    }
    const limit = this.options.maxInFlightPerPartition - work.schedule.running;
    for (const entry of work.schedule.take(now, limit)) this.start(work, entry.payload);
    // At full concurrency the next finish pumps again; only below it does a later due time need a timer (and the
    // scan for it, which is linear in the buffered messages).
    if (work.schedule.running < this.options.maxInFlightPerPartition) {
      const next = work.schedule.nextDueAt();
      if (next !== undefined)
        work.timer = setTimeout(() => this.pump(work), Math.max(0, next - Date.now()) + 1);
    }
    if (work.resume && work.schedule.size <= this.options.maxBufferedPerPartition / 2) {
      const resume = work.resume;
      work.resume = undefined;
      resume();
    }
  }

  private start(work: PartitionWork, message: KafkaMessage): void {
    const task = (async () => {
      const outcome = await this.invoke(work, message);
      if (outcome.kind === 'defer') work.schedule.defer(message.offset, outcome.untilMs);
      else work.schedule.finish(message.offset);
      this.pump(work);
    })();
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async invoke(work: PartitionWork, message: KafkaMessage): Promise<HandlerOutcome> {
    const consumed: ConsumedMessage = {
      topic: work.route.pattern,
      physicalTopic: work.topic,
      partition: work.partition,
      message,
      heartbeat: () => this.beat(),
    };
    try {
      const result: unknown = await lastValueFrom(
        this.transformToObservable(await work.route.handler(consumed)),
        { defaultValue: undefined },
      );
      return isOutcome(result) ? result : { kind: 'done' };
    } catch (error) {
      this.log.error(
        `Handler for ${work.route.pattern} failed on partition ${work.partition} offset ${message.offset}; ` +
          `trying again in ${this.options.errorBackoffMs} ms: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { kind: 'defer', untilMs: Date.now() + this.options.errorBackoffMs, reason: 'handler error' };
    }
  }

  /** Commits each partition's first unfinished offset where it moved. Errors (a rebalance) are harmless: the next owner re-reads. */
  private commit(): Promise<void> {
    this.committing ??= (async () => {
      const offsets = [];
      for (const work of this.work.values()) {
        const offset = work.schedule.committable();
        if (work.revoked || offset === undefined || offset === work.committed) continue;
        offsets.push({ topic: work.topic, partition: work.partition, offset, work });
      }
      if (!offsets.length || !this.consumer) return;
      try {
        await this.consumer.commitOffsets(
          offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
        );
        for (const { work, offset } of offsets) work.committed = offset;
      } catch (error) {
        this.log.debug(`Offset commit skipped: ${error instanceof Error ? error.message : String(error)}`);
      }
    })().finally(() => (this.committing = undefined));
    return this.committing;
  }

  /** Keeps the membership alive while partitions are paused or every message waits (kafkajs beats only between batches). */
  private async beat(): Promise<void> {
    try {
      await this.heartbeat?.();
    } catch (error) {
      // A rebalance is signalled: start nothing new until the group has settled (kafkajs rejoins on its next
      // fetch; GROUP_JOIN then drops what was not started). Unstarted work is kept until then: kafkajs would not
      // fetch it again without the rejoin.
      if ((error as { type?: string }).type === 'REBALANCE_IN_PROGRESS')
        this.settlingUntil = Date.now() + this.options.sessionTimeoutMs;
    }
  }

  /** Safe only when kafkajs rejoins: its offset manager is rebuilt and fetching restarts from committed offsets. */
  private revokeAll(reason: string): void {
    this.settlingUntil = 0;
    if (!this.work.size) return;
    this.log.log(`Dropping unstarted work of ${this.work.size} partition(s): ${reason}`);
    for (const work of this.work.values()) {
      work.revoked = true;
      clearTimeout(work.timer);
      work.schedule.clearWaiting();
      // kafkajs keeps a partition paused across a rejoin; the fresh work for it must be able to fetch.
      work.resume?.();
      work.resume = undefined;
    }
    this.work.clear();
  }
}

function isOutcome(value: unknown): value is HandlerOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    (value.kind === 'done' || value.kind === 'defer')
  );
}
