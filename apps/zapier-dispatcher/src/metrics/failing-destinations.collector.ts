import { Gauge, type Registry } from 'prom-client';
import { type DeliveryStatsRepository, FAILING_AFTER_CONSECUTIVE_FAILURES } from '@leadhooks/db';

/**
 * `leadhooks_endpoints_failing`: live, enabled endpoints failing continuously (their last
 * FAILING_AFTER_CONSECUTIVE_FAILURES attempts failed, or the last one answered 410), read from Postgres when
 * Prometheus scrapes. The same flag as `failing` in the endpoint stats. 404/410 never disable an endpoint (SPEC
 * §6); this is how someone notices. A count, never a label per endpoint.
 */
export function registerFailingDestinations(registry: Registry, stats: DeliveryStatsRepository): void {
  let last = 0;
  new Gauge({
    name: 'leadhooks_endpoints_failing',
    help: `Enabled endpoints whose last ${FAILING_AFTER_CONSECUTIVE_FAILURES} attempts all failed, or whose last answer was 410`,
    registers: [registry],
    async collect() {
      last = await stats.failingEndpointCount().catch(() => last);
      this.set(last);
    },
  });
}
