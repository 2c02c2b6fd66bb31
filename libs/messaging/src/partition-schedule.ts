/** One fetched message as the schedule tracks it. */
export interface ScheduledEntry<T> {
  offset: string;
  /** Messages with one key run one at a time, in offset order (a lead's messages keep their order). */
  key: string;
  /** Epoch ms before which the message must not start. */
  dueAt: number;
  payload: T;
}

type State = 'waiting' | 'running' | 'done';

interface Entry<T> extends ScheduledEntry<T> {
  state: State;
  offsetNumber: bigint;
}

/**
 * What one partition's fetched messages are doing: pure bookkeeping, no Kafka, no timers, no clock of its own
 * (the caller passes `now`), so every rule is unit-tested.
 *
 * Rules:
 * - a message starts when it is due and every earlier message with its key is done (per-key order);
 * - messages of other keys are not held back by one that is not due, deferred or slow (no head-of-line blocking);
 * - the committable offset is the first offset not done: a crash re-reads from there, never past unhandled work.
 */
export class PartitionSchedule<T> {
  private entries: Array<Entry<T>> = [];
  private lastOffset: bigint | undefined;
  private runningCount = 0;

  /** Adds a fetched message; false when its offset was already seen (a re-fetch). */
  add(entry: ScheduledEntry<T>): boolean {
    const offsetNumber = BigInt(entry.offset);
    if (this.lastOffset !== undefined && offsetNumber <= this.lastOffset) return false;
    this.lastOffset = offsetNumber;
    this.entries.push({ ...entry, offsetNumber, state: 'waiting' });
    return true;
  }

  /** Marks up to `limit` messages that may start now as running, and returns them. */
  take(now: number, limit: number): Array<ScheduledEntry<T>> {
    const started: Array<ScheduledEntry<T>> = [];
    if (limit <= 0) return started;
    const blocked = new Set<string>();
    for (const entry of this.entries) {
      if (entry.state === 'done') continue;
      if (entry.state === 'waiting' && entry.dueAt <= now && !blocked.has(entry.key)) {
        entry.state = 'running';
        this.runningCount++;
        started.push(entry);
        if (started.length >= limit) break;
      }
      blocked.add(entry.key);
    }
    return started;
  }

  /** The message's work is done (handled, or handed on): it no longer holds its key or the committed offset. */
  finish(offset: string): void {
    const entry = this.find(offset);
    if (!entry || entry.state === 'done') return;
    if (entry.state === 'running') this.runningCount--;
    entry.state = 'done';
    this.compact();
  }

  /** The message must wait until `untilMs` (not due yet, its lead leased, a rate limit); others go on. */
  defer(offset: string, untilMs: number): void {
    const entry = this.find(offset);
    if (!entry || entry.state === 'done') return;
    if (entry.state === 'running') this.runningCount--;
    entry.state = 'waiting';
    entry.dueAt = untilMs;
  }

  /** The offset to commit (the next one a restarted consumer should read), or undefined before any message. */
  committable(): string | undefined {
    const first = this.entries.find((entry) => entry.state !== 'done');
    if (first) return first.offset;
    return this.lastOffset === undefined ? undefined : String(this.lastOffset + 1n);
  }

  /** When the next waiting message whose key is free becomes due (to arm a timer), or undefined. */
  nextDueAt(): number | undefined {
    let earliest: number | undefined;
    const blocked = new Set<string>();
    for (const entry of this.entries) {
      if (entry.state === 'done') continue;
      if (entry.state === 'waiting' && !blocked.has(entry.key))
        earliest = Math.min(earliest ?? entry.dueAt, entry.dueAt);
      blocked.add(entry.key);
    }
    return earliest;
  }

  /** Messages not done (waiting or running). */
  get size(): number {
    return this.entries.length;
  }

  get running(): number {
    return this.runningCount;
  }

  /** Drops every message that has not started (a revoked partition); running ones may still finish. */
  clearWaiting(): void {
    this.entries = this.entries.filter((entry) => entry.state === 'running');
  }

  private find(offset: string): Entry<T> | undefined {
    const target = BigInt(offset);
    return this.entries.find((entry) => entry.offsetNumber === target);
  }

  private compact(): void {
    let done = 0;
    while (done < this.entries.length && this.entries[done].state === 'done') done++;
    if (done > 0) this.entries = this.entries.slice(done);
  }
}
