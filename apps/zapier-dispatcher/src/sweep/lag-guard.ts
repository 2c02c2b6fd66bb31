/**
 * Whether the stranded-delivery sweep may run, given the main topics' lag. A backlog means events may just be
 * waiting their turn, so the sweep holds off; but never for longer than `maxHoldMs` in a row: a lag that does not
 * go away (a partition that stopped moving) is exactly when something may be stranded, and a sweep must not turn
 * itself off then. What it puts back by mistake is harmless (the delivery lock makes it a no-op).
 */
export class LagGuard {
  private holdingSince: number | undefined;

  constructor(
    private readonly maxLag: number,
    private readonly maxHoldMs: number,
  ) {}

  allows(lag: number, now: number): boolean {
    if (lag <= this.maxLag) {
      this.holdingSince = undefined;
      return true;
    }
    this.holdingSince ??= now;
    return now - this.holdingSince >= this.maxHoldMs;
  }
}
