import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { ConsumedMessage, HandlerOutcome } from './consumed-message.js';
import { PartitionSchedule } from './partition-schedule.js';

/**
 * One consumer of the transport, in its own consumer group. The main topics and the retry tiers are separate
 * lanes: every fetch names every partition of its consumer's topics, and the broker answers for each of them, so
 * a hot consumer that also fetched the ten mostly idle retry topics (120 partitions) paid for them on every fetch
 * (~2 ms of the dispatcher's CPU and ~1 ms of the broker's per fetch, measured at 25 fetches/s). A group per lane:
 * kafkajs' assigners hand every member every subscribed topic of the group, so members of one group must
 * subscribe alike.
 */
export interface ConsumerLane {
  groupId: string;
  /** Handler patterns (logical topics) this lane consumes. */
  patterns: readonly string[];
  /** How long a fetch waits on the broker when nothing is there (a new message answers it at once). */
  maxWaitTimeInMs: number;
  /**
   * While this lane's group has committed nothing, it starts from the offsets another group committed for the
   * same topics (the group that consumed them before the lanes were split), not from the beginning.
   */
  adoptOffsetsFrom?: string;
}

export interface DueTimeKafkaOptions {
  kafka: Kafka;
  /** Maps a handler pattern (logical topic) to the physical topic on the broker. */
  physicalTopic: (logical: string) => string;
  /** The consumers; each pattern in exactly one lane, each with exactly one handler (start-up fails otherwise). */
  lanes: readonly ConsumerLane[];
  /** Epoch ms before which a message must not be handled, or undefined for "now". */
  dueAt: (message: KafkaMessage, logicalTopic: string) => number | undefined;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
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
  /**
   * A message whose handler threw this many times in a row is a poison message: it is given to `deadLetter` and
   * finished, so it holds neither its key nor its partition's committed offset for ever.
   */
  maxHandlerFailures: number;
  /** Puts a poison message on its dead-letter topic with the reason (and fails what it names); throws when it cannot. */
  deadLetter: (consumed: ConsumedMessage, reason: string) => Promise<void>;
  /** On close, how long in-flight handlers may take to finish before the consumer leaves anyway. */
  drainTimeoutMs: number;
}

interface Route {
  pattern: string;
  handler: MessageHandler;
}

/** A lane's consumer and its group membership state. */
class Lane {
  consumer: Consumer | undefined;
  heartbeat: (() => Promise<void>) | undefined;
  /** A heartbeat said the group is rebalancing: start nothing new until it has settled (or this passes). */
  settlingUntil = 0;

  constructor(
    readonly options: ConsumerLane,
    /** Physical topic → handler. */
    readonly routes: Map<string, Route>,
  ) {}
}

/** One assigned partition's fetched work, for one group generation. */
class PartitionWork {
  readonly schedule = new PartitionSchedule<KafkaMessage>();
  timer: NodeJS.Timeout | undefined;
  resume: (() => void) | undefined;
  revoked = false;
  committed: string | undefined;
  /** Handler failures in a row, by offset (only messages that failed and are not finished). */
  readonly failures = new Map<string, number>();

  constructor(
    readonly lane: Lane,
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
 * Rebalances: when a lane's group rebalances, that lane's work not yet started is dropped at once (the new owner
 * reads it from the committed offset) and running handlers finish; the lead lock's lease guards any overlap.
 *
 * Lanes: the topics are split over consumers of their own (`ConsumerLane`), each in its own group, e.g. the
 * main topics and the retry tiers; the handling above is the same in each.
 */
export class DueTimeKafkaServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(DueTimeKafkaServer.name);
  private lanes: Lane[] = [];
  private readonly work = new Map<string, PartitionWork>();
  private readonly inFlight = new Set<Promise<void>>();
  private commitTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly options: DueTimeKafkaOptions) {
    super();
  }

  on(): void {
    throw new Error('DueTimeKafkaServer does not emit events');
  }

  /** The lanes' kafkajs consumers. */
  unwrap<T>(): T {
    if (!this.lanes.length) throw new Error('Not listening');
    return this.lanes.map((lane) => lane.consumer) as T;
  }

  /** Messages fetched and not yet done, over all partitions (metrics). */
  get buffered(): number {
    let total = 0;
    for (const work of this.work.values()) total += work.schedule.size;
    return total;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.lanes = this.resolveLanes();
      for (const lane of this.lanes) await this.startLane(lane);
      this.commitTimer = setInterval(() => void this.commit(), this.options.commitIntervalMs);
      this.heartbeatTimer = setInterval(
        () => this.lanes.forEach((lane) => void this.beat(lane)),
        this.options.heartbeatIntervalMs,
      );
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
    await Promise.all(this.lanes.map((lane) => lane.consumer?.disconnect() ?? Promise.resolve()));
  }

  private async startLane(lane: Lane): Promise<void> {
    const { groupId, maxWaitTimeInMs, adoptOffsetsFrom } = lane.options;
    if (adoptOffsetsFrom) await this.adoptOffsets(lane, adoptOffsetsFrom);
    const consumer = this.options.kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs,
      maxWaitTimeInMs,
      allowAutoTopicCreation: false,
    });
    lane.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.log.error(`Kafka consumer of ${groupId} crashed: ${error.message} (restart: ${String(restart)})`);
      // Without a restart the process can do nothing useful; exit so the supervisor restarts it.
      if (!restart && !this.closing) process.exit(1);
    });
    consumer.on(consumer.events.REBALANCING, () => this.revokeAll(lane, 'the group is rebalancing'));
    consumer.on(consumer.events.GROUP_JOIN, () =>
      this.revokeAll(lane, 'joined the group with a new assignment'),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [...lane.routes.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise; the batch is only queued here
      eachBatch: async (payload) => this.accept(lane, payload),
    });
    this.log.log(`Consuming ${[...lane.routes.keys()].join(', ')} as group ${groupId}`);
  }

  /**
   * A lane's group that has committed nothing starts where `from` left its topics: after the retry tiers moved to
   * a group of their own, the new group goes on from the old group's offsets instead of re-reading every retained
   * message (which the lead lock would make no-ops, at a cost). Best effort: when it cannot (another instance's
   * consumer already joined the group, the broker is away), the group starts from its own offsets or the beginning.
   */
  private async adoptOffsets(lane: Lane, from: string): Promise<void> {
    const admin = this.options.kafka.admin();
    const topics = [...lane.routes.keys()];
    try {
      await admin.connect();
      const own = await admin.fetchOffsets({ groupId: lane.options.groupId, topics });
      if (own.some(({ partitions }) => partitions.some(({ offset }) => Number(offset) >= 0))) return;
      let adopted = 0;
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: from, topics })) {
        const committed = partitions.filter(({ offset }) => Number(offset) >= 0);
        if (!committed.length) continue;
        await admin.setOffsets({
          groupId: lane.options.groupId,
          topic,
          partitions: committed.map(({ partition, offset }) => ({ partition, offset })),
        });
        adopted += committed.length;
      }
      if (adopted)
        this.log.log(
          `Group ${lane.options.groupId} starts from ${from}'s offsets of ${adopted} partition(s)`,
        );
    } catch (error) {
      this.log.warn(
        `Group ${lane.options.groupId} did not take ${from}'s offsets (it starts from its own, or the beginning): ${describe(error)}`,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** The lanes with their routes (physical topic → handler), failing on a pattern without a handler or lane. */
  private resolveLanes(): Lane[] {
    const laneOf = new Map<string, ConsumerLane>();
    for (const lane of this.options.lanes)
      for (const pattern of lane.patterns) {
        if (laneOf.has(pattern)) throw new Error(`Topic ${pattern} is in two consumer lanes`);
        laneOf.set(pattern, lane);
      }
    for (const pattern of this.messageHandlers.keys()) {
      if (!laneOf.has(pattern)) {
        throw new Error(`@EventPattern('${pattern}') names a topic this transport does not consume`);
      }
    }
    const missing: string[] = [];
    const lanes = this.options.lanes.map((options) => {
      const routes = new Map<string, Route>();
      for (const pattern of options.patterns) {
        const handler = this.getHandlerByPattern(pattern);
        if (!handler) missing.push(pattern);
        else routes.set(this.options.physicalTopic(pattern), { pattern, handler });
      }
      return new Lane(options, routes);
    });
    if (missing.length) throw new Error(`No @EventPattern handler for: ${missing.join(', ')}`);
    return lanes;
  }

  /** Queues a fetched batch on its partition's schedule and lets kafkajs fetch on; offsets are resolved only to move the fetch position. */
  private accept(lane: Lane, payload: EachBatchPayload): void {
    const { batch } = payload;
    lane.heartbeat = () => payload.heartbeat();
    if (this.closing || !payload.isRunning() || payload.isStale()) return;
    const route = lane.routes.get(batch.topic);
    if (!route) throw new Error(`Received a message from unexpected topic ${batch.topic}`);
    const key = `${batch.topic}:${batch.partition}`;
    let work = this.work.get(key);
    if (!work) {
      work = new PartitionWork(lane, batch.topic, batch.partition, route);
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
    const { settlingUntil } = work.lane;
    if (now < settlingUntil) {
      work.timer = setTimeout(() => this.pump(work), Math.min(500, settlingUntil - now));
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
      else {
        work.failures.delete(message.offset);
        work.schedule.finish(message.offset);
      }
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
      heartbeat: () => this.beat(work.lane),
    };
    try {
      const result: unknown = await lastValueFrom(
        this.transformToObservable(await work.route.handler(consumed)),
        { defaultValue: undefined },
      );
      if (isOutcome(result) && result.kind === 'failed') throw new Error(result.error);
      return isOutcome(result) ? result : { kind: 'done' };
    } catch (error) {
      const failures = (work.failures.get(message.offset) ?? 0) + 1;
      work.failures.set(message.offset, failures);
      const where = `${work.route.pattern} partition ${work.partition} offset ${message.offset}`;
      if (failures >= this.options.maxHandlerFailures)
        return this.deadLetterPoison(consumed, where, failures, error);
      this.log.error(
        `Handler for ${where} failed (${failures} of ${this.options.maxHandlerFailures}); ` +
          `trying again in ${this.options.errorBackoffMs} ms: ${describe(error)}`,
      );
      return { kind: 'defer', untilMs: Date.now() + this.options.errorBackoffMs, reason: 'handler error' };
    }
  }

  /** A message whose handler keeps throwing goes to its DLT with the reason; only if that fails too is it tried again. */
  private async deadLetterPoison(
    consumed: ConsumedMessage,
    where: string,
    failures: number,
    error: unknown,
  ): Promise<HandlerOutcome> {
    const reason = `handler failed ${failures} times: ${describe(error)}`;
    try {
      await this.options.deadLetter(consumed, reason);
      this.log.error(`Dead-lettered the message at ${where}: its ${reason}`);
      return { kind: 'done' };
    } catch (failure) {
      this.log.error(
        `The message at ${where} could not be dead-lettered (${describe(failure)}); ` +
          `trying again in ${this.options.errorBackoffMs} ms: its ${reason}`,
      );
      return { kind: 'defer', untilMs: Date.now() + this.options.errorBackoffMs, reason: 'handler error' };
    }
  }

  /** Commits each partition's first unfinished offset where it moved. Errors (a rebalance) are harmless: the next owner re-reads. */
  private commit(): Promise<void> {
    this.committing ??= Promise.all(this.lanes.map((lane) => this.commitLane(lane)))
      .then(() => undefined)
      .finally(() => (this.committing = undefined));
    return this.committing;
  }

  private async commitLane(lane: Lane): Promise<void> {
    const offsets = [];
    for (const work of this.work.values()) {
      if (work.lane !== lane) continue;
      const offset = work.schedule.committable();
      if (work.revoked || offset === undefined || offset === work.committed) continue;
      offsets.push({ topic: work.topic, partition: work.partition, offset, work });
    }
    if (!offsets.length || !lane.consumer) return;
    try {
      await lane.consumer.commitOffsets(
        offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      );
      for (const { work, offset } of offsets) work.committed = offset;
    } catch (error) {
      this.log.debug(`Offset commit of ${lane.options.groupId} skipped: ${describe(error)}`);
    }
  }

  /** Keeps the membership alive while partitions are paused or every message waits (kafkajs beats only between batches). */
  private async beat(lane: Lane): Promise<void> {
    try {
      await lane.heartbeat?.();
    } catch (error) {
      // A rebalance is signalled: start nothing new until the group has settled (kafkajs rejoins on its next
      // fetch; GROUP_JOIN then drops what was not started). Unstarted work is kept until then: kafkajs would not
      // fetch it again without the rejoin.
      if ((error as { type?: string }).type === 'REBALANCE_IN_PROGRESS')
        lane.settlingUntil = Date.now() + this.options.sessionTimeoutMs;
    }
  }

  /** Safe only when kafkajs rejoins: its offset manager is rebuilt and fetching restarts from committed offsets. */
  private revokeAll(lane: Lane, reason: string): void {
    lane.settlingUntil = 0;
    const revoked = [...this.work].filter(([, work]) => work.lane === lane);
    if (!revoked.length) return;
    this.log.log(
      `Dropping unstarted work of ${revoked.length} partition(s) of group ${lane.options.groupId}: ${reason}`,
    );
    for (const [key, work] of revoked) {
      work.revoked = true;
      clearTimeout(work.timer);
      work.schedule.clearWaiting();
      // kafkajs keeps a partition paused across a rejoin; the fresh work for it must be able to fetch.
      work.resume?.();
      work.resume = undefined;
      this.work.delete(key);
    }
  }
}

function isOutcome(value: unknown): value is HandlerOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    (value.kind === 'done' || value.kind === 'defer' || value.kind === 'failed')
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}
