import { Gauge, type Registry } from 'prom-client';
import type { DeliveryStatsRepository } from '@leadhooks/db';

/** A destination with this many attempts in the window and no 2xx among them counts as failing. */
export const FAILING = { windowMs: 30 * 60_000, minAttempts: 5 } as const;

/**
 * `leadhooks_endpoints_failing`: destinations failing continuously (no 2xx in their last 30 minutes of attempts),
 * read from Postgres when Prometheus scrapes. 404/410 are never auto-disabled (SPEC §6); this is how someone
 * notices.
 */
export function registerFailingDestinations(registry: Registry, stats: DeliveryStatsRepository): void {
  let last = 0;
  new Gauge({
    name: 'leadhooks_endpoints_failing',
    help: 'Destinations whose every attempt in the last 30 minutes failed (at least 5 attempts)',
    registers: [registry],
    async collect() {
      last = await stats.failingSiteCount(FAILING.windowMs, FAILING.minAttempts).catch(() => last);
      this.set(last);
    },
  });
}
