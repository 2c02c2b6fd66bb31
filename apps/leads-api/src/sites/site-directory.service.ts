import { Inject, Injectable } from '@nestjs/common';
import { SiteRepository } from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';

/** Bounds memory (~150 bytes an entry; a full cache is simply dropped and refills from the next requests). */
export const SITE_DIRECTORY_MAX_ENTRIES = 10_000;

/**
 * Site ids by hostname for intake, cached for SITE_CACHE_TTL (0 turns the cache off).
 *
 * Why: every lead's insert takes a FOR KEY SHARE lock on its site row (the foreign key); with many concurrent
 * inserts that lock becomes a MultiXact, and reading the same row on every request then costs Postgres more than
 * the insert itself (measured here: 2,428 inserts/s alone, 875/s with the per-request SELECT).
 *
 * Only the id is cached, and a site's id never changes, so nothing here can be stale in a way that matters:
 * whether a lead is delivered is decided by the insert statement from the site row itself (see
 * LeadRepository.insertBatchWithEvents), and a lead for a site deleted meanwhile is not stored (intake answers
 * 404 and forgets the entry). Unknown hostnames are not cached, so a site created on another instance takes
 * leads at once.
 */
@Injectable()
export class SiteDirectory {
  private readonly entries = new Map<string, { siteId: string; expiresAt: number }>();

  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
  ) {}

  async findSiteId(hostname: string): Promise<string | null> {
    const key = hostname.toLowerCase();
    const ttlMs = this.config.siteCacheTtlMs;
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.siteId;
    const siteId = await this.sites.findIdByHostname(key);
    if (siteId && ttlMs > 0) {
      if (this.entries.size >= SITE_DIRECTORY_MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { siteId, expiresAt: now + ttlMs });
    } else this.entries.delete(key);
    return siteId;
  }

  /** Hostnames cached now. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets one hostname (its site was deleted), or everything. */
  invalidate(hostname?: string): void {
    if (hostname === undefined) this.entries.clear();
    else this.entries.delete(hostname.toLowerCase());
  }
}
