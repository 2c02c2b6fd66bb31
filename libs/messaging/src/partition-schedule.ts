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
 * - the committable offset is the first offset not done: a crash re-reads from there, never past unhandled work;
 * - only unfinished messages are held (and counted by `size`): finished ones behind a slow or failing head are
 *   dropped at once, so a head that waits never makes the partition look full;
 * - messages dropped unstarted (`clearWaiting`: a revoke, a shutdown) were not handled: the committable offset
 *   never passes them.
 */
export class PartitionSchedule<T> {
  /** Unfinished messages (waiting or running), in offset order. */
  private entries: Array<Entry<T>> = [];
  private lastOffset: bigint | undefined;
  private runningCount = 0;
  /** The first offset dropped unstarted by `clearWaiting`: nothing at or after it may be committed. */
  private floor: bigint | undefined;

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
    const index = this.indexOf(offset);
    if (index < 0) return;
    const entry = this.entries[index];
    if (entry.state === 'running') this.runningCount--;
    entry.state = 'done';
    this.entries.splice(index, 1);
  }

  /** The message must wait until `untilMs` (not due yet, its lead leased, a rate limit); others go on. */
  defer(offset: string, untilMs: number): void {
    const entry = this.entries[this.indexOf(offset)];
    if (!entry) return;
    if (entry.state === 'running') this.runningCount--;
    entry.state = 'waiting';
    entry.dueAt = untilMs;
  }

  /** The offset to commit (the next one a restarted consumer should read), or undefined before any message. */
  committable(): string | undefined {
    const first = this.entries[0]?.offsetNumber;
    const next = first ?? (this.lastOffset === undefined ? undefined : this.lastOffset + 1n);
    if (this.floor !== undefined && (next === undefined || this.floor < next)) return String(this.floor);
    return next === undefined ? undefined : String(next);
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

  /** Messages not done (waiting or running): what the partition's buffer limit counts. */
  get size(): number {
    return this.entries.length;
  }

  get running(): number {
    return this.runningCount;
  }

  /** Drops every message that has not started (a revoked partition); running ones may still finish. */
  clearWaiting(): void {
    const dropped = this.entries.find((entry) => entry.state === 'waiting');
    if (dropped && (this.floor === undefined || dropped.offsetNumber < this.floor))
      this.floor = dropped.offsetNumber;
    this.entries = this.entries.filter((entry) => entry.state === 'running');
  }

  private indexOf(offset: string): number {
    const target = BigInt(offset);
    return this.entries.findIndex((entry) => entry.offsetNumber === target);
  }
}
