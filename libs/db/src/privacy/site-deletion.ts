import type { ErasureWait, LeadErasureRepository } from '../repositories/lead-erasure.repository.js';
import type { RetentionRepository } from '../repositories/retention.repository.js';
import { ERASURE_WAIT, eraseLeads } from './erase-leads.js';

export type SiteDeletion =
  | { kind: 'missing' }
  /** `leadsErased`: erased by this deletion (leads erased before are counted in `leadsRemoved` only). */
  | { kind: 'deleted'; leadsErased: number; leadsRemoved: number }
  /** Leads kept arriving faster than they were erased (the site's forms are live): nothing more was tried. */
  | { kind: 'still-receiving'; leadsErased: number };

/** Rounds of "erase what is there, then delete the site if nothing arrived meanwhile" before giving up. */
const MAX_ROUNDS = 5;

/**
 * Deletes a site and everything of it (docs/privacy.md): its leads are erased first, each through the one erasure
 * path (audit row `site-deletion:<site id>`, lead.deleted, pending deliveries SKIPPED, deliveries in flight waited
 * for), in batches; then the erased leads' rows, their deliveries and attempts go; then the site with its
 * endpoints, keys and sources, in a transaction that finds no lead left (a lead that arrived meanwhile is erased in
 * the next round). The erasure audit rows stay.
 */
export async function deleteSiteWithLeads(
  retention: RetentionRepository,
  erasures: LeadErasureRepository,
  siteId: string,
  { batchSize = 200, wait = ERASURE_WAIT }: { batchSize?: number; wait?: ErasureWait } = {},
): Promise<SiteDeletion> {
  const actor = { by: `site-deletion:${siteId}`, reason: 'site_deleted' } as const;
  let leadsErased = 0;
  let leadsRemoved = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    for (;;) {
      const ids = await retention.siteLeadIds(siteId, batchSize);
      if (!ids.length) break;
      leadsErased += await eraseLeads(erasures, ids, actor, wait);
    }
    for (;;) {
      const removed = await retention.deleteErasedLeads(siteId, batchSize);
      leadsRemoved += removed;
      if (removed < batchSize) break;
    }
    const outcome = await retention.deleteSiteIfEmpty(siteId);
    if (outcome === 'deleted') return { kind: 'deleted', leadsErased, leadsRemoved };
    if (outcome === 'missing')
      return round === 0 && leadsRemoved === 0
        ? { kind: 'missing' }
        : { kind: 'deleted', leadsErased, leadsRemoved };
  }
  return { kind: 'still-receiving', leadsErased };
}
