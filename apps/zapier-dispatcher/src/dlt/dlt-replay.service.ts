import type { Kafka } from 'kafkajs';
import { ReplayRepository, type ReplayOutcome } from '@leadhooks/db';
import { type DeadLetter, type DeadLetterFilter, matchesFilter } from './dead-letter.js';
import { readDeadLetters } from './dead-letter-reader.js';

export interface ListedDeadLetter extends DeadLetter {
  replayedAt: Date | null;
}

export interface ReplayProgress {
  total: number;
  done: number;
  replayed: number;
  skipped: number;
  failed: number;
}

export interface ReplaySummary extends ReplayProgress {
  replayId: string | null;
  items: Array<{ letter: DeadLetter; outcome: ReplayOutcome | 'would-replay'; detail?: string }>;
}

/** What `npm run dlt` does, behind its argument parsing: list and replay dead-lettered leads. */
export class DltReplayService {
  constructor(
    private readonly kafka: Kafka,
    private readonly dltTopic: string,
    private readonly replays: ReplayRepository,
  ) {}

  async list(filter: DeadLetterFilter): Promise<ListedDeadLetter[]> {
    const [letters, replayed] = await Promise.all([readDeadLetters(this.kafka, this.dltTopic), this.replays.replayedMessages()]);
    return letters
      .filter((letter) => matchesFilter(letter, filter))
      .map((letter) => ({ ...letter, replayedAt: replayed.get(`${letter.partition}:${letter.offset}`) ?? null }));
  }

  /** The latest dead letter per lead among those matching (a lead can be dead-lettered more than once). */
  async select(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const latest = new Map<string, DeadLetter>();
    for (const letter of await this.list(filter)) {
      if (letter.leadId && letter.event) latest.set(letter.leadId, letter);
    }
    return [...latest.values()];
  }

  /**
   * Replays the selection: each lead back to PENDING with a fresh retry cycle via the outbox. One failure
   * does not stop the rest. Dry runs change nothing (not even the replay log).
   */
  async replay(
    letters: DeadLetter[],
    options: { actor: string; filter: Record<string, unknown>; dryRun: boolean; onProgress?: (progress: ReplayProgress) => void },
  ): Promise<ReplaySummary> {
    const progress: ReplayProgress = { total: letters.length, done: 0, replayed: 0, skipped: 0, failed: 0 };
    const items: ReplaySummary['items'] = [];
    if (options.dryRun) {
      for (const letter of letters) items.push({ letter, outcome: 'would-replay' });
      return { ...progress, replayId: null, items };
    }
    const replayId = await this.replays.startRun(options.actor, options.filter, false, letters.length);
    for (const letter of letters) {
      let outcome: ReplayOutcome;
      let detail: string | undefined;
      try {
        outcome = await this.replays.requeueLead(letter.leadId ?? '', replayId);
      } catch (error) {
        outcome = 'failed';
        detail = error instanceof Error ? error.message : String(error);
      }
      await this.replays
        .recordItem(replayId, { leadId: letter.leadId ?? '', partition: letter.partition, offset: letter.offset, outcome, detail })
        .catch(() => undefined);
      if (outcome === 'replayed') progress.replayed++;
      else if (outcome === 'failed') progress.failed++;
      else progress.skipped++;
      progress.done++;
      items.push({ letter, outcome, detail });
      options.onProgress?.({ ...progress });
    }
    await this.replays.finishRun(replayId, progress);
    return { ...progress, replayId, items };
  }
}
