import type { EventType } from '@leadhooks/contracts';
import type { Endpoint } from '@leadhooks/db';

interface Known {
  siteId: string;
  rate: number | null;
  events: EventType[];
  /** `custom` format: each request is rendered by the mapping engine, through the endpoint's gate. */
  mapped: boolean;
}

const MAX_ENDPOINTS = 100_000;

/**
 * What this process has learnt of endpoints' rate limits from its claims, so a message can wait for a token
 * before its statement runs rather than take a lease it must give back. Only a hint: the limit itself is applied
 * after the claim (DeliveryRunner), with the endpoint's settings as the claim read them.
 */
export class EndpointRates {
  private readonly endpoints = new Map<string, Known>();
  private readonly bySite = new Map<string, Set<string>>();

  learn(siteId: string, endpoint: Pick<Endpoint, 'id' | 'rateLimitPerSecond' | 'events' | 'format'>): void {
    if (this.endpoints.size > MAX_ENDPOINTS) {
      this.endpoints.clear();
      this.bySite.clear();
    }
    this.endpoints.set(endpoint.id, {
      siteId,
      rate: endpoint.rateLimitPerSecond,
      events: endpoint.events,
      mapped: endpoint.format === 'custom',
    });
    const ids = this.bySite.get(siteId) ?? new Set<string>();
    ids.add(endpoint.id);
    this.bySite.set(siteId, ids);
  }

  of(endpointId: string): number | null {
    return this.endpoints.get(endpointId)?.rate ?? null;
  }

  /** The longest wait among the site's known endpoints that take `event` (0: none must wait). */
  waitForSite(
    siteId: string,
    event: EventType,
    wait: (endpointId: string, rate: number | null) => number,
  ): number {
    let longest = 0;
    for (const id of this.bySite.get(siteId) ?? []) {
      const known = this.endpoints.get(id);
      if (known?.events.includes(event)) longest = Math.max(longest, wait(id, known.rate));
    }
    return longest;
  }

  /** Whether a known `custom` endpoint of the site that takes `event` has its mapping queue full (`busy`). */
  mappingBusyForSite(siteId: string, event: EventType, busy: (endpointId: string) => boolean): boolean {
    for (const id of this.bySite.get(siteId) ?? []) {
      const known = this.endpoints.get(id);
      if (known?.mapped && known.events.includes(event) && busy(id)) return true;
    }
    return false;
  }
}
