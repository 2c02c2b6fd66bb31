import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { TopicNames } from '@leadhooks/contracts';
import { OUTBOX_CHANNEL, OutboxRepository } from '@leadhooks/db';
import { EventPublisher } from '@leadhooks/messaging';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { WakeSignal } from './wake-signal.js';

const PRUNE_EVERY_MS = 60_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * Publishes outbox rows to Kafka (SPEC §4): claim a batch with FOR UPDATE SKIP LOCKED, publish it keyed by
 * lead id (acks=all), mark it published, commit. A crash between publish and commit republishes the batch
 * (at-least-once; the dispatcher's lead lock absorbs duplicates). Woken in-process by intake (OutboxWakeup) or by NOTIFY, polls as a fallback.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(OutboxRelayService.name);
  private readonly signal = new WakeSignal();
  private listener: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private lastPruneAt = 0;

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(TopicNames) private readonly topics: TopicNames,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.relay.enabled) return;
    this.start();
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

  /** Looks for rows now instead of at the next poll (a no-op when the relay is not running here). */
  wake(): void {
    if (this.loop) this.signal.wake();
  }

  /** Finishes the in-flight batch, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signal.wake();
    await this.loop;
    this.loop = undefined;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Publishes one batch; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const batch = await this.outbox.claimBatch(manager, this.config.relay.batchSize);
      if (!batch.length) return 0;
      await this.publisher.publish(
        this.topics.main,
        batch.map((row) => ({
          key: row.aggregateId,
          value: JSON.stringify(row.payload),
          headers: row.headers,
        })),
      );
      await this.outbox.markPublished(
        manager,
        batch.map((row) => row.id),
      );
      return batch.length;
    });
  }

  private async run(): Promise<void> {
    await this.listen();
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        // Connect before claiming rows, so an unreachable broker never holds row locks or a transaction.
        await this.publisher.connect();
        const published = await this.publishBatch();
        backoffMs = 100;
        if (published) this.log.debug(`Published ${published} outbox rows to ${this.topics.main}`);
        await this.pruneIfDue();
        if (published < this.config.relay.batchSize) {
          await this.signal.wait(this.config.relay.pollIntervalMs);
          // Under load every commit wakes the relay; lingering a moment lets one batch carry many rows
          // instead of one claim/publish/mark transaction per lead.
          if (this.config.relay.lingerMs > 0 && !this.stopping) await sleep(this.config.relay.lingerMs);
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
        connectionString: this.config.databaseUrl,
        application_name: 'leads-api-relay-listen',
      });
      client.on('notification', () => this.signal.wake());
      client.on('error', (error) => {
        this.log.warn(`LISTEN connection lost (polling meanwhile): ${error.message}`);
        this.listener = undefined;
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
    const pruned = await this.outbox.prunePublished(
      new Date(Date.now() - this.config.relay.retentionMs),
      10_000,
    );
    if (pruned) this.log.log(`Pruned ${pruned} published outbox rows`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
