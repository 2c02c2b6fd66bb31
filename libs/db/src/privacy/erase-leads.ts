import type {
  ErasureActor,
  ErasureWait,
  LeadErasureRepository,
} from '../repositories/lead-erasure.repository.js';

/**
 * How long an erasure waits at most for a delivery in flight (its lease: the longest endpoint timeout, 30 s, plus
 * the dispatcher's margin); it ends sooner, when the request's outcome is recorded. The DELETE, the retention sweep
 * and site deletion use the same.
 */
export const ERASURE_WAIT: ErasureWait = { pollMs: 50, maxMs: 40_000 };

/**
 * Erases `leadIds` one by one, each through the one erasure path (`LeadErasureRepository.erase`: its own
 * transaction, audit row, lead.deleted, pending deliveries SKIPPED, deliveries in flight waited for). A lead erased
 * meanwhile by someone else (a DELETE, another sweep) comes back `already-erased` and is not counted: its lead row
 * lock and erasure mark make a second erasure impossible. Returns how many this call erased.
 */
export async function eraseLeads(
  erasures: LeadErasureRepository,
  leadIds: readonly string[],
  actor: ErasureActor,
  wait: ErasureWait = ERASURE_WAIT,
): Promise<number> {
  let erased = 0;
  for (const leadId of leadIds) {
    const result = await erasures.erase(leadId, actor, { wait });
    if (result.kind === 'erased') erased++;
  }
  return erased;
}
