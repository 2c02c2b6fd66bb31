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
import { letterKey } from './dead-letter.js';
import { DltReplayService } from './dlt-replay.service.js';

/** Who the automatic re-drive is, in the replay log (GET /v1/admin/replays, `npm run dlt -- list`). */
export const REDRIVE_ACTOR = 'auto-redrive';

/**
 * Long outages (SPEC §6): the retry tiers give up after about 31 minutes, a receiver can be down for longer. Every
 * REDRIVE_INTERVAL this replays the dead letters of both event types whose last failure may heal by itself (5xx,
 * 429, timeout, connection), whose delivery is still FAILED and whose event is younger than REDRIVE_WINDOW, each
 * dead letter at most once (a delivery that fails again is dead-lettered again, and re-driven at the next interval). Runs are recorded like a manual
 * replay, by REDRIVE_ACTOR. With several dispatchers, one runs it at a time (a Postgres advisory lock).
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
      const replayed = await this.replays.replayedMessages();
      const letters = (await this.replay.select({})).filter(
        (letter) =>
          letter.retryable &&
          !replayed.has(letterKey(letter)) &&
          letter.event !== null &&
          now - Date.parse(letter.event.occurred_at) <= this.config.redrive.windowMs,
      );
      if (!letters.length) return 0;
      const summary = await this.replay.replay(letters, {
        actor: REDRIVE_ACTOR,
        filter: { automatic: true, retryable: true, window_ms: this.config.redrive.windowMs },
        dryRun: false,
      });
      this.log.log({
        message: `Re-drove ${summary.replayed} dead-lettered deliver(ies) whose last failure was retryable (skipped ${summary.skipped}, failed ${summary.failed})`,
        replayId: summary.replayId,
      });
      return summary.replayed;
    });
  }
}
