'use strict';

/**
 * Deduplication of REST hook deliveries within the app. Zapier does not dedupe hook triggers itself, and leadhooks
 * delivers at least once: a retry after a timeout that Zapier had in fact received would run the Zap twice. Every
 * delivery of one event carries the same `id` (the event id); the first one seen by a subscription (a Zap) is
 * recorded in Zapier's cache (`z.cache`) and later ones are dropped.
 *
 * The record is kept a day: longer than the dispatcher's retry ladder (about 31 minutes) and its automatic re-drive
 * of dead letters' first hours. A cache that cannot be reached never drops an event: a possible second run is
 * better than a lost lead.
 */
const SEEN_TTL_SECONDS = 24 * 60 * 60;
// Per connection, on top of the subscription id in the key: one account's hooks never meet another's.
const SCOPE = ['auth'];

/** True the first time this subscription sees this event id (or when it cannot tell), false for a repeat. */
async function firstSighting(z, subscriptionId, eventId) {
  if (!subscriptionId || !eventId) return true;
  const key = `leadhooks:hook:${subscriptionId}:event:${eventId}`;
  try {
    if (await z.cache.get(key, SCOPE)) return false;
    // nx: only the first of two racing deliveries writes the key (false when it already existed).
    return (await z.cache.set(key, Date.now(), SEEN_TTL_SECONDS, SCOPE, true)) !== false;
  } catch (error) {
    z.console.log(`Delivery ${eventId} not checked for repeats (cache unavailable: ${error.message})`);
    return true;
  }
}

module.exports = { firstSighting, SEEN_TTL_SECONDS };
