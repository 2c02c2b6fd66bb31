export interface GroupCommitOptions {
  /** Statements in flight at once; further items queue and go together in the next one. */
  concurrency: number;
  /** Most items per statement. */
  maxBatch: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while `concurrency` statements are already running queue up and are written
 * together by the next one, so one round trip and one commit serve many callers. Items submitted in the same
 * turn of the event loop (the messages of one Kafka fetch, the requests of one socket read) go out together at
 * the end of that turn (`setImmediate`), rather than the first few each taking a statement of its own and the
 * rest waiting behind them. No timer: an idle process writes a lone item at once, a busy one batches by itself.
 * Each caller is answered after the commit that holds its item. If a batch fails, its items are retried one by
 * one, so one bad item fails alone.
 *
 * `run` gets the items and returns one result per item, in order.
 */
export class GroupCommit<I, O> {
  private readonly queue: Array<Pending<I, O>> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Array<Pending<I, O>>): Promise<void> {
    try {
      const results = await this.run(batch.map((pending) => pending.item));
      batch.forEach((pending, index) => pending.resolve(results[index]));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      await Promise.all(batch.map((pending) => this.flush([pending])));
    }
  }
}
