import type { Kafka } from 'kafkajs';
import { requeueMessage } from '@leadhooks/contracts';
import { LeadRepository, type ReplayOutcome, ReplayRepository, type RequeueResult } from '@leadhooks/db';
import {
  type DeadLetter,
  type DeadLetterFilter,
  type ListedDeadLetter,
  matchesFilter,
} from './dead-letter.js';
import { readDeadLetters } from './dead-letter-reader.js';

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

const OUTCOMES: Record<RequeueResult, ReplayOutcome> = {
  requeued: 'replayed',
  missing: 'skipped-missing',
  'already-sent': 'skipped-sent',
  'in-flight': 'skipped-in-flight',
};

/** What `npm run dlt` does, behind its argument parsing: list and replay dead-lettered leads. */
export class DltReplayService {
  constructor(
    private readonly kafka: Kafka,
    private readonly dltTopic: string,
    private readonly replays: ReplayRepository,
    private readonly leads: LeadRepository,
  ) {}

  /**
   * Dead letters matching the filter, each with its lead's current status. A lead that was delivered after all
   * (SENT: replayed since, or its failure raced a crash) is left out unless `includeSent`.
   */
  async list(filter: DeadLetterFilter, { includeSent = false } = {}): Promise<ListedDeadLetter[]> {
    const [letters, replayed] = await Promise.all([
      readDeadLetters(this.kafka, this.dltTopic),
      this.replays.replayedMessages(),
    ]);
    const matching = letters.filter((letter) => matchesFilter(letter, filter));
    const statuses = await this.leads.statuses([
      ...new Set(matching.flatMap((letter) => (letter.leadId ? [letter.leadId] : []))),
    ]);
    return matching
      .map((letter) => ({
        ...letter,
        status: letter.leadId ? (statuses.get(letter.leadId) ?? null) : null,
        replayedAt: replayed.get(`${letter.partition}:${letter.offset}`) ?? null,
      }))
      .filter((letter) => includeSent || letter.status !== 'SENT');
  }

  /**
   * The latest dead letter per lead among those matching and not SENT (a lead can be dead-lettered more than
   * once). A letter whose event is unreadable is selected by its key: the replay rebuilds the event from the lead.
   */
  async select(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const latest = new Map<string, DeadLetter>();
    for (const letter of await this.list(filter)) {
      if (letter.leadId) latest.set(letter.leadId, letter);
    }
    return [...latest.values()];
  }

  /**
   * Replays the selection: each lead back to PENDING with a fresh retry cycle via the outbox (its event rebuilt
   * from the stored lead). One failure does not stop the rest. Dry runs change nothing (not even the replay log).
   */
  async replay(
    letters: DeadLetter[],
    options: {
      actor: string;
      filter: Record<string, unknown>;
      dryRun: boolean;
      onProgress?: (progress: ReplayProgress) => void;
    },
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
        const at = new Date();
        const result = await this.leads.requeue(letter.leadId ?? '', (attemptCount) =>
          requeueMessage(attemptCount, { replay: { replayId, at } }),
        );
        outcome = OUTCOMES[result];
      } catch (error) {
        outcome = 'failed';
        detail = error instanceof Error ? error.message : String(error);
      }
      await this.replays
        .recordItem(replayId, {
          leadId: letter.leadId ?? '',
          partition: letter.partition,
          offset: letter.offset,
          outcome,
          detail,
        })
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
