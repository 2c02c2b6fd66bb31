import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { TopicNames } from '@leadhooks/contracts';
import { DeliveryRepository, LeadRepository, ReplayRepository } from '@leadhooks/db';
import { KAFKA } from '@leadhooks/messaging';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';
import type { ListedDeadLetter } from './dead-letter.js';
import { DltReplayService, type ReplayProgress } from './dlt-replay.service.js';

/** Who the automatic re-drive is, in the replay log (GET /v1/admin/replays, `npm run dlt -- list`). */
export const REDRIVE_ACTOR = 'auto-redrive';

/**
 * Long outages (SPEC §6): the retry tiers give up after about 31 minutes, a receiver can be down for longer. Every
 * REDRIVE_INTERVAL this replays the dead letters of both event types whose last failure may heal by itself (5xx,
 * 429, timeout, connection), whose delivery is still FAILED and whose event is younger than REDRIVE_WINDOW, each
 * dead letter at most once (a delivery that fails again is dead-lettered again, and re-driven at the next interval). Runs are recorded like a manual
 * replay, by REDRIVE_ACTOR. The DLTs are streamed, REDRIVE_BATCH letters at a time (never read whole into memory).
 * With several dispatchers, one runs it at a time (a Postgres advisory lock).
 */
@Injectable()
export class DeadLetterRedrive implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DeadLetterRedrive.name);
  private readonly replay: DltReplayService;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(TopicNames) topics: TopicNames,
    @Inject(ReplayRepository) private readonly replays: ReplayRepository,
    @Inject(DeliveryRepository) deliveries: DeliveryRepository,
    @Inject(LeadRepository) leads: LeadRepository,
  ) {
    this.replay = new DltReplayService(kafka, topics, replays, deliveries, leads);
  }

  onApplicationBootstrap(): void {
    if (this.config.redrive.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.redrive()
        .catch((error: unknown) =>
          this.log.warn(
            `Automatic re-drive failed (next one in ${this.config.redrive.intervalMs} ms): ${String(error)}`,
          ),
        )
        .finally(() => (this.running = undefined));
    }, this.config.redrive.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One re-drive; the number of deliveries replayed, or undefined when another dispatcher is running one. */
  async redrive(now = Date.now()): Promise<number | undefined> {
    return this.replays.withRedriveLock(async () => {
      const { windowMs, batchSize } = this.config.redrive;
      const progress: ReplayProgress = { total: 0, done: 0, replayed: 0, skipped: 0, failed: 0 };
      let replayId: string | undefined;
      // Both DLTs keep 30 days: streamed, at most `batchSize` letters read ahead of the replays of the previous ones.
      await this.replay.forEachChunk({}, batchSize, async (chunk) => {
        const letters = latestPerDelivery(
          chunk.filter(
            (letter) =>
              letter.retryable &&
              letter.replayedAt === null &&
              letter.status === 'FAILED' &&
              letter.event !== null &&
              now - Date.parse(letter.event.occurred_at) <= windowMs,
          ),
        );
        if (!letters.length) return;
        replayId ??= await this.replay.startRun(REDRIVE_ACTOR, {
          automatic: true,
          retryable: true,
          window_ms: windowMs,
        });
        progress.total += letters.length;
        await this.replay.replayInto(replayId, letters, progress);
      });
      if (!replayId) return 0;
      await this.replay.finishRun(replayId, progress);
      this.log.log({
        message: `Re-drove ${progress.replayed} dead-lettered deliver(ies) whose last failure was retryable (skipped ${progress.skipped}, failed ${progress.failed})`,
        replayId,
      });
      return progress.replayed;
    });
  }
}

/**
 * The latest letter per delivery among these (a delivery dead-lettered twice); across chunks the status check does
 * the same (a delivery replayed from an earlier chunk is no longer FAILED).
 */
function latestPerDelivery(letters: ListedDeadLetter[]): ListedDeadLetter[] {
  const latest = new Map<string, ListedDeadLetter>();
  for (const letter of letters) {
    const key = letter.deliveryId ?? `${letter.eventType}/${letter.eventId ?? letter.leadId}`;
    const seen = latest.get(key);
    if (!seen || seen.deadLetteredAt <= letter.deadLetteredAt) latest.set(key, letter);
  }
  return [...latest.values()];
}
