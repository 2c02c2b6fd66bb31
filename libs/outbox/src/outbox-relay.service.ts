import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TopicNames } from '@leadhooks/contracts';
import {
  type ClaimedOutboxMessage,
  OUTBOX_CHANNEL,
  OutboxRepository,
  type SetAsideOutboxMessage,
} from '@leadhooks/db';
import { EventPublisher, isMessageTooLarge, messageBytes, type OutgoingMessage } from '@leadhooks/messaging';
import { OUTBOX_RELAY_SETTINGS, type OutboxRelaySettings } from './outbox-relay.settings.js';
import { WakeSignal } from './wake-signal.js';

const PRUNE_EVERY_MS = 60_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * Publishes outbox rows to Kafka (SPEC §4): claim a batch with FOR UPDATE SKIP LOCKED, publish each row to its
 * topic keyed by lead id (acks=all), mark the batch published, commit. A crash between publish and commit
 * republishes the batch (at-least-once; the dispatcher's lead lock absorbs duplicates). Rows are lead.created
 * events from intake, and the dispatcher's hand-ons (next retry tier, DLT). Woken in-process (`wake`), by
 * NOTIFY from other processes, and by polling as a fallback. Several relays may run at once.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(OutboxRelayService.name);
  private readonly signal = new WakeSignal();
  private listener: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private lastPruneAt = 0;
  private stopRequested: () => void = () => undefined;
  /**
   * Per topic, the smallest event the broker refused even alone (bytes): rows at least this large are sent alone,
   * after the rest of their batch, so the rest never waits on a send the broker refuses. Forgotten when a row that
   * large is accepted (the topic's limit was raised).
   */
  private readonly refusedBytes = new Map<string, number>();
  private readonly stopped = new Promise<void>((resolve) => (this.stopRequested = resolve));

  constructor(
    @Inject(OUTBOX_RELAY_SETTINGS) private readonly settings: OutboxRelaySettings,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(TopicNames) private readonly topics: TopicNames,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.enabled) this.start();
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /**
   * Stops before anything closes (Nest runs every beforeApplicationShutdown before any onApplicationShutdown):
   * the relay finishes its batch while the database and the producer are still open, and cannot reconnect a
   * producer after it was closed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Whether this process's relay is publishing (started and not stopping). */
  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  /** Looks for rows now instead of at the next poll (a no-op when the relay is not running here). */
  wake(): void {
    if (this.loop) this.signal.wake();
  }

  /** Finishes the in-flight batch, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopRequested();
    this.signal.wake();
    await this.loop;
    this.loop = undefined;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /**
   * Publishes one batch; returns how many rows it handled. Rows as large as one the broker already refused for
   * its topic go alone, after the others. When the broker refuses the batch for its size (a row over its
   * message.max.bytes), the largest row is taken out and the rest sent again, until the rest goes through; then
   * each row taken out is tried alone, and a row refused even alone is set aside (marked, kept, alerted on). So one
   * oversize event never blocks the rows of every other lead behind it, and once its size is known it costs them
   * no refused send at all. A batch holds at most one row per lead (see the claim), so sending some rows after the
   * others never reorders a lead's events.
   */
  async publishBatch(): Promise<number> {
    return this.outbox.publishBatch(this.settings.batchSize, async (batch) => {
      const alone = batch.filter((row) => {
        const refused = this.refusedBytes.get(row.topic);
        return refused !== undefined && sizeOf(row) >= refused;
      });
      let rest = batch.filter((row) => !alone.includes(row));
      while (rest.length) {
        try {
          await this.publishAll(rest);
          break;
        } catch (error) {
          if (!isMessageTooLarge(error)) throw error;
          const largest = rest.reduce((a, b) => (sizeOf(b) > sizeOf(a) ? b : a));
          rest = rest.filter((row) => row !== largest);
          alone.push(largest);
        }
      }
      const setAside: SetAsideOutboxMessage[] = [];
      for (const row of alone) {
        const reason = await this.publishAlone(row);
        if (reason) setAside.push({ id: row.id, reason });
      }
      return setAside;
    });
  }

  private async publishAll(rows: ClaimedOutboxMessage[]): Promise<void> {
    for (const [topic, messages] of byTopic(rows)) {
      await this.publisher.publish(this.topics.physical(topic), messages);
    }
  }

  /** Publishes one row alone; returns why it was set aside when the broker refuses it for its size even so. */
  private async publishAlone(row: ClaimedOutboxMessage): Promise<string | null> {
    const bytes = sizeOf(row);
    const refused = this.refusedBytes.get(row.topic);
    try {
      await this.publisher.publish(this.topics.physical(row.topic), [toOutgoing(row)]);
      if (refused !== undefined && bytes >= refused) this.refusedBytes.delete(row.topic);
      return null;
    } catch (error) {
      if (!isMessageTooLarge(error)) throw error;
      this.refusedBytes.set(row.topic, Math.min(bytes, refused ?? Infinity));
      this.log.error({
        message: `Set outbox row ${row.id} aside: Kafka refuses its ${row.eventType} event of lead ${row.aggregateId} (${bytes} bytes) even alone; the rows behind it go on`,
        outboxId: row.id,
        leadId: row.aggregateId,
        topic: row.topic,
        bytes,
      });
      return `Kafka refused the ${row.eventType} event (${bytes} bytes) even alone: ${describe(error)}`;
    }
  }

  private async run(): Promise<void> {
    await this.listen();
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        // Connect before claiming rows, so an unreachable broker never holds row locks or a transaction. A stop
        // does not wait for a connection that may take a while (kafkajs retries); no rows are held meanwhile.
        await Promise.race([this.publisher.connect(), this.stopped]);
        if (this.stopping) break;
        const published = await this.publishBatch();
        backoffMs = 100;
        if (published) this.log.debug(`Published ${published} outbox rows`);
        await this.pruneIfDue();
        if (published < this.settings.batchSize) {
          await this.signal.wait(this.settings.pollIntervalMs);
          // Under load every commit wakes the relay; lingering a moment lets one batch carry many rows
          // instead of one claim/publish/mark transaction per lead.
          if (this.settings.lingerMs > 0 && !this.stopping) await sleep(this.settings.lingerMs);
        }
      } catch (error) {
        this.log.warn(
          `Outbox publish failed, rows stay queued; retrying in ${backoffMs} ms: ${describe(error)}`,
        );
        await this.signal.wait(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        if (!this.listener) await this.listen();
      }
    }
  }

  private async listen(): Promise<void> {
    try {
      const client = new pg.Client({
        connectionString: this.settings.databaseUrl,
        application_name: `${this.settings.applicationName}-relay-listen`,
      });
      client.on('notification', () => this.signal.wake());
      client.on('error', (error) => {
        this.log.warn(`LISTEN connection lost (polling meanwhile): ${error.message}`);
        if (this.listener === client) this.listener = undefined;
      });
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.log.warn(`Could not LISTEN for outbox rows, polling only: ${describe(error)}`);
    }
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    const pruned = await this.outbox.prunePublished(new Date(Date.now() - this.settings.retentionMs), 10_000);
    if (pruned) this.log.log(`Pruned ${pruned} published outbox rows`);
  }
}

/** Rows grouped by topic, each group in claim order (so a lead's rows keep their order on its topic). */
function byTopic(batch: ClaimedOutboxMessage[]): Map<string, OutgoingMessage[]> {
  const groups = new Map<string, OutgoingMessage[]>();
  for (const row of batch) {
    const rows = groups.get(row.topic) ?? [];
    rows.push(toOutgoing(row));
    groups.set(row.topic, rows);
  }
  return groups;
}

function sizeOf(row: ClaimedOutboxMessage): number {
  return messageBytes(toOutgoing(row));
}

function toOutgoing(row: ClaimedOutboxMessage): OutgoingMessage {
  return { key: row.aggregateId, value: JSON.stringify(row.payload), headers: row.headers };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
