import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { OutboxRepository } from '@leadhooks/db';
import { OutboxRelayService } from './outbox-relay.service.js';

/** At most one NOTIFY per window: NOTIFY serialises commits cluster-wide, so it must not ride on every insert. */
const NOTIFY_WINDOW_MS = 25;

/**
 * Tells relays that outbox rows were committed. When this process runs a relay, it is woken directly, for free,
 * and it alone is told: relays elsewhere would only race it for the same rows, each race a transaction that finds
 * them locked or splits the batch (and a NOTIFY serialises commits cluster-wide); they still poll, so they take
 * over within their poll interval if this relay stalls. When this process runs no relay (OUTBOX_RELAY_ENABLED=false),
 * relays in other processes get a NOTIFY, throttled to one per window with a trailing one, so a row committed during
 * a window is still announced within NOTIFY_WINDOW_MS.
 */
@Injectable()
export class OutboxWakeup implements OnApplicationShutdown {
  private readonly log = new Logger(OutboxWakeup.name);
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    @Inject(OutboxRelayService) private readonly relay: OutboxRelayService,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
  ) {}

  committed(): void {
    if (this.relay.running) {
      this.relay.wake();
      return;
    }
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.notify();
    this.timer = setTimeout(() => this.windowClosed(), NOTIFY_WINDOW_MS);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  private windowClosed(): void {
    this.timer = undefined;
    if (!this.pending) return;
    this.pending = false;
    this.committed();
  }

  private notify(): void {
    this.outbox.notifyRelays().catch((error: unknown) => {
      this.log.warn(
        `Could not NOTIFY relays (they will poll): ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}
