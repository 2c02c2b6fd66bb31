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
  /** Callers waiting briefly for a slot, first come first served (`acquire`). */
  private readonly waiters = new Set<Waiter>();

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
      this.wakeWaiters();
    };
  }

  /**
   * A slot now, or the first one freed within `waitMs` (a busy but fast endpoint frees one within milliseconds),
   * or undefined: the endpoint or site stayed full (its requests are slow), and the caller waits elsewhere.
   */
  acquire(siteId: string, endpointId: string, waitMs: number): Promise<SlotRelease | undefined> {
    const now = this.tryAcquire(siteId, endpointId);
    if (now || waitMs <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        siteId,
        endpointId,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(undefined);
        }, waitMs),
      };
      this.waiters.add(waiter);
    });
  }

  private wakeWaiters(): void {
    for (const waiter of this.waiters) {
      const release = this.tryAcquire(waiter.siteId, waiter.endpointId);
      if (!release) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(release);
    }
  }

  /** Requests in flight to the endpoint and to the site (metrics, tests). */
  inFlight(siteId: string, endpointId?: string): { site: number; endpoint: number } {
    return {
      site: this.sites.get(siteId) ?? 0,
      endpoint: endpointId === undefined ? 0 : (this.endpoints.get(endpointId) ?? 0),
    };
  }
}

interface Waiter {
  siteId: string;
  endpointId: string;
  resolve: (release: SlotRelease | undefined) => void;
  timer: NodeJS.Timeout;
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
