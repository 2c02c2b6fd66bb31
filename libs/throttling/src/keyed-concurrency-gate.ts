/**
 * At most `perKey` tasks of one key (an inbound source, an endpoint, a site) run at once, and at most `queuePerKey`
 * wait; beyond that a task is refused ('busy') rather than queued without bound. In front of the shared mapping
 * workers this keeps one key's slow mapping to its share: each key has at most `perKey` evaluations in the workers'
 * queue, so another key's evaluation waits behind at most `perKey` of its, whatever it sends.
 */
export class KeyedConcurrencyGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly perKey: number,
    private readonly queuePerKey: number,
  ) {
    if (!Number.isInteger(perKey) || perKey < 1) throw new Error(`perKey must be at least 1 (got ${perKey})`);
  }

  /** Runs `task` when the key has room; 'busy' when the key already has its queue full. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T | 'busy'> {
    if ((this.running.get(key) ?? 0) >= this.perKey) {
      const queue = this.waiting.get(key) ?? [];
      if (queue.length >= this.queuePerKey) return 'busy';
      await new Promise<void>((resolve) => {
        queue.push(resolve);
        this.waiting.set(key, queue);
      });
    } else {
      this.running.set(key, (this.running.get(key) ?? 0) + 1);
    }
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  /**
   * Whether a task of this key would be refused now ('busy'): the caller can wait before doing work it would have to
   * undo (the dispatcher checks before it claims a delivery).
   */
  full(key: string): boolean {
    return (
      (this.running.get(key) ?? 0) >= this.perKey && (this.waiting.get(key)?.length ?? 0) >= this.queuePerKey
    );
  }

  /** Tasks running and waiting for a key (metrics, tests). */
  load(key: string): { running: number; waiting: number } {
    return { running: this.running.get(key) ?? 0, waiting: this.waiting.get(key)?.length ?? 0 };
  }

  private release(key: string): void {
    const queue = this.waiting.get(key);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(key);
    // The slot passes straight to the next waiter: the running count stays as it is.
    if (next) return next();
    const running = (this.running.get(key) ?? 1) - 1;
    if (running <= 0) this.running.delete(key);
    else this.running.set(key, running);
  }
}
