import type { Kafka } from 'kafkajs';
import {
  dltTopic,
  EVENT_TYPES,
  LEAD_CREATED_TYPE,
  LEAD_DELETED_TYPE,
  requeueMessage,
  type TopicNames,
} from '@leadhooks/contracts';
import {
  DeliveryRepository,
  LeadRepository,
  type ReplayOutcome,
  ReplayRepository,
  type RequeueMessage,
  type RequeueResult,
} from '@leadhooks/db';
import {
  type DeadLetter,
  type DeadLetterFilter,
  letterKey,
  type ListedDeadLetter,
  matchesFilter,
} from './dead-letter.js';
import { readDeadLetters, streamDeadLetters } from './dead-letter-reader.js';

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

/** The delivery a dead letter stands for: named in it, or (older letters) its lead's `zapier` lead.created delivery. */
interface Resolved {
  letter: DeadLetter;
  deliveryId: string | null;
}

/** What `npm run dlt` does, behind its argument parsing: list and replay dead-lettered deliveries of both event types. */
export class DltReplayService {
  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    private readonly replays: ReplayRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly leads: LeadRepository,
  ) {}

  /**
   * Dead letters matching the filter, each with its delivery's current status. One delivered after all (SENT:
   * replayed since, or its failure raced a crash) is left out unless `includeSent`.
   */
  async list(filter: DeadLetterFilter, { includeSent = false } = {}): Promise<ListedDeadLetter[]> {
    const families = filter.event ? [filter.event] : EVENT_TYPES;
    const [perTopic, replayed] = await Promise.all([
      Promise.all(
        families.map((event) =>
          readDeadLetters(this.kafka, this.topics.physical(dltTopic(event)), dltTopic(event)),
        ),
      ),
      this.replays.replayedMessages(),
    ]);
    const matching = perTopic
      .flat()
      .filter((letter) => matchesFilter(letter, filter))
      .sort((a, b) => a.deadLetteredAt.getTime() - b.deadLetteredAt.getTime());
    const resolved = await this.resolve(matching);
    const statuses = await this.statuses(resolved);
    return resolved
      .map(({ letter, deliveryId }) => ({
        ...letter,
        deliveryId,
        status: deliveryId
          ? (statuses.deliveries.get(deliveryId) ?? null)
          : letter.leadId && letter.eventType === LEAD_CREATED_TYPE
            ? (statuses.leads.get(letter.leadId) ?? null)
            : null,
        replayedAt: replayed.get(letterKey(letter)) ?? null,
      }))
      .filter((letter) => includeSent || letter.status !== 'SENT');
  }

  /**
   * Every dead letter matching the filter, chunk by chunk (at most `chunkSize` read ahead of `onChunk`), each with
   * what is true of its delivery now: for work over DLTs that may hold 30 days of letters (the automatic re-drive).
   */
  async forEachChunk(
    filter: DeadLetterFilter,
    chunkSize: number,
    onChunk: (letters: ListedDeadLetter[]) => Promise<void>,
  ): Promise<void> {
    for (const event of filter.event ? [filter.event] : EVENT_TYPES) {
      const topic = dltTopic(event);
      await streamDeadLetters(this.kafka, this.topics.physical(topic), topic, chunkSize, async (letters) => {
        const matching = letters.filter((letter) => matchesFilter(letter, filter));
        if (matching.length) await onChunk(await this.current(matching));
      });
    }
  }

  /** Letters with their delivery's status now and when each was replayed (state looked up for these letters only). */
  private async current(letters: DeadLetter[]): Promise<ListedDeadLetter[]> {
    const [resolved, replayed] = await Promise.all([
      this.resolve(letters),
      this.replays.replayedAmong(letters),
    ]);
    const statuses = await this.statuses(resolved);
    return resolved.map(({ letter, deliveryId }) => ({
      ...letter,
      deliveryId,
      status: deliveryId
        ? (statuses.deliveries.get(deliveryId) ?? null)
        : letter.leadId && letter.eventType === LEAD_CREATED_TYPE
          ? (statuses.leads.get(letter.leadId) ?? null)
          : null,
      replayedAt: replayed.get(letterKey(letter)) ?? null,
    }));
  }

  /** A replay run to add items to chunk by chunk (`replayInto`), finished with its totals (`finishRun`). */
  startRun(actor: string, filter: Record<string, unknown>): Promise<string> {
    return this.replays.startRun(actor, filter, false, 0);
  }

  finishRun(replayId: string, progress: ReplayProgress): Promise<void> {
    return this.replays.finishRun(replayId, progress, progress.total);
  }

  /**
   * The latest dead letter per delivery among those matching and not SENT (a delivery can be dead-lettered more
   * than once). A letter whose event is unreadable is selected by its delivery or lead: the replay rebuilds the event.
   */
  async select(filter: DeadLetterFilter): Promise<ListedDeadLetter[]> {
    const latest = new Map<string, ListedDeadLetter>();
    for (const letter of await this.list(filter)) {
      const key =
        letter.deliveryId ??
        (letter.leadId ? `${letter.eventType}/${letter.eventId ?? letter.leadId}` : null);
      if (key) latest.set(key, letter);
    }
    return [...latest.values()];
  }

  /**
   * Replays the selection: each delivery back to PENDING with a fresh retry cycle via the outbox (its event as it
   * was emitted). One failure does not stop the rest. Dry runs change nothing (not even the replay log).
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
    await this.replayInto(replayId, letters, progress, items, options.onProgress);
    await this.replays.finishRun(replayId, progress);
    return { ...progress, replayId, items };
  }

  /** Replays letters as items of the run `replayId`, adding to `progress` (and `items`); one failure does not stop the rest. */
  async replayInto(
    replayId: string,
    letters: DeadLetter[],
    progress: ReplayProgress,
    items?: ReplaySummary['items'],
    onProgress?: (progress: ReplayProgress) => void,
  ): Promise<void> {
    for (const letter of letters) {
      let outcome: ReplayOutcome;
      let detail: string | undefined;
      try {
        const at = new Date();
        const next: RequeueMessage = ({ event, delivery, attemptCount }) =>
          requeueMessage(event, delivery, attemptCount, { replay: { replayId, at } });
        ({ outcome, detail } = await this.replayOne(letter, next));
      } catch (error) {
        outcome = 'failed';
        detail = error instanceof Error ? error.message : String(error);
      }
      await this.replays
        .recordItem(replayId, {
          leadId: letter.leadId ?? '00000000-0000-0000-0000-000000000000',
          deliveryId: letter.deliveryId,
          topic: letter.topic,
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
      items?.push({ letter, outcome, detail });
      onProgress?.({ ...progress });
    }
  }

  private async replayOne(
    letter: DeadLetter,
    next: RequeueMessage,
  ): Promise<{ outcome: ReplayOutcome; detail?: string }> {
    if (letter.deliveryId)
      return { outcome: OUTCOMES[await this.deliveries.requeue(letter.deliveryId, next)] };
    if (!letter.leadId) return { outcome: 'skipped-missing', detail: 'the dead letter names no lead' };
    if (letter.eventType === LEAD_CREATED_TYPE) {
      // From before endpoints, or an event never fanned out: the lead's lead.created goes out again.
      const result = await this.deliveries.redeliverLead(letter.leadId, {}, next);
      if (result.kind === 'missing') return { outcome: 'skipped-missing' };
      if (result.requeued.length || result.fannedOut) return { outcome: 'replayed' };
      return {
        outcome: result.alreadySent
          ? 'skipped-sent'
          : result.inFlight
            ? 'skipped-in-flight'
            : 'skipped-missing',
      };
    }
    if (!letter.eventId)
      return {
        outcome: 'skipped-missing',
        detail: `unreadable ${letter.eventType}: cannot tell which event`,
      };
    if (letter.eventType === LEAD_DELETED_TYPE)
      return { outcome: OUTCOMES[await this.deliveries.republishDeleted(letter.eventId, next)] };
    return { outcome: OUTCOMES[await this.deliveries.republishUpdate(letter.eventId, next)] };
  }

  /** Letters from before endpoints name no delivery: theirs is the lead's `zapier` lead.created delivery. */
  private async resolve(letters: DeadLetter[]): Promise<Resolved[]> {
    const legacy = letters.filter(
      (letter) =>
        !letter.deliveryId &&
        letter.leadId &&
        letter.eventType === LEAD_CREATED_TYPE &&
        letter.reason === 'exhausted',
    );
    const zapier = await this.deliveries.zapierDeliveries([
      ...new Set(legacy.map((letter) => letter.leadId as string)),
    ]);
    return letters.map((letter) => ({
      letter,
      deliveryId:
        letter.deliveryId ??
        (legacy.includes(letter) ? (zapier.get(letter.leadId as string)?.id ?? null) : null),
    }));
  }

  private async statuses(resolved: Resolved[]) {
    const deliveryIds = [...new Set(resolved.flatMap((r) => (r.deliveryId ? [r.deliveryId] : [])))];
    const leadIds = [
      ...new Set(resolved.flatMap((r) => (!r.deliveryId && r.letter.leadId ? [r.letter.leadId] : []))),
    ];
    const [deliveries, leads] = await Promise.all([
      this.deliveries.statuses(deliveryIds),
      this.leads.statuses(leadIds),
    ]);
    return { deliveries: deliveries as Map<string, string>, leads: leads as Map<string, string | null> };
  }
}
