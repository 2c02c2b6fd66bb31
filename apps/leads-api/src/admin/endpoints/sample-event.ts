import {
  buildLeadCreatedEvent,
  buildLeadDeletedEvent,
  buildLeadUpdatedEvent,
  type EventType,
  LEAD_DELETED_TYPE,
  LEAD_UPDATED_TYPE,
  type LeadEvent,
  leadSnapshot,
  type SiteIdentity,
} from '@leadhooks/contracts';
import { v7 as uuidv7 } from 'uuid';

/** The lead id every test event carries: receivers can recognise (and drop) test sends. */
export const TEST_LEAD_ID = '00000000-0000-7000-8000-000000000000';

/** A sample event of the given type for a test send (admin "send a test"), with a fresh event id. */
export function sampleEvent(site: SiteIdentity, type: EventType, now = new Date()): LeadEvent {
  if (type === LEAD_DELETED_TYPE)
    return buildLeadDeletedEvent(uuidv7(), now, { leadId: TEST_LEAD_ID, siteId: site.id, reason: 'request' });
  const snapshot = leadSnapshot({
    id: TEST_LEAD_ID,
    siteId: site.id,
    siteHostname: site.hostname,
    submittedAt: now,
    pageUrl: `https://${site.hostname}/contact`,
    leadSource: 'leadhooks-test',
    formType: 'test',
    name: 'Test Lead',
    email: 'test@example.com',
    phone: null,
    message: 'This is a test event from leadhooks.',
    extra: { test: true },
  });
  if (type === LEAD_UPDATED_TYPE) {
    return buildLeadUpdatedEvent(uuidv7(), now, {
      ...snapshot,
      version: 2,
      changes: { phone: { from: null, to: '+1 555 0100' } },
      phone: '+1 555 0100',
    });
  }
  return buildLeadCreatedEvent(uuidv7(), now, snapshot);
}
