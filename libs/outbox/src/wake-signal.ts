/** Lets a loop sleep until either a timeout or a wake-up (e.g. a Postgres NOTIFY), whichever comes first. */
export class WakeSignal {
  private wakeUp: (() => void) | undefined;
  private pending = false;

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wakeUp = done;
    });
  }
}
