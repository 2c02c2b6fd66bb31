/** In-flight limits: how many requests may be open at once to one endpoint, and to all endpoints of one site. */
export interface SlotLimits {
  perEndpoint: number;
  perSite: number;
}

/** One request's hold on its endpoint's and its site's slots; `release` gives both back (once). */
export type SlotRelease = () => void;

/**
 * Counting semaphores for outbound requests, per endpoint and per site, so endpoints that never answer (each
 * request held for its whole timeout) use their share of the process's in-flight deliveries and no more: the
 * others keep theirs. Pure bookkeeping, in memory, per process (with N dispatchers the ceiling is N × the limit).
 * Keys with nothing in flight are dropped, so a flood of distinct ids cannot grow memory.
 */
export class DeliverySlots {
  private readonly endpoints = new Map<string, number>();
  private readonly sites = new Map<string, number>();

  constructor(private readonly limits: SlotLimits) {}

  /** Whether a request to the endpoint (of the site) could start now, without taking a slot. */
  free(siteId: string, endpointId?: string): boolean {
    if ((this.sites.get(siteId) ?? 0) >= this.limits.perSite) return false;
    return endpointId === undefined || (this.endpoints.get(endpointId) ?? 0) < this.limits.perEndpoint;
  }

  /** Takes a slot of the endpoint and one of its site, or nothing (undefined) when either is full. */
  tryAcquire(siteId: string, endpointId: string): SlotRelease | undefined {
    if (!this.free(siteId, endpointId)) return undefined;
    this.endpoints.set(endpointId, (this.endpoints.get(endpointId) ?? 0) + 1);
    this.sites.set(siteId, (this.sites.get(siteId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.endpoints, endpointId);
      decrement(this.sites, siteId);
    };
  }

  /** Requests in flight to the endpoint and to the site (metrics, tests). */
  inFlight(siteId: string, endpointId?: string): { site: number; endpoint: number } {
    return {
      site: this.sites.get(siteId) ?? 0,
      endpoint: endpointId === undefined ? 0 : (this.endpoints.get(endpointId) ?? 0),
    };
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
