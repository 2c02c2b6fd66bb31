import { buildLeadDeletedEvent } from './lead-deleted.event.js';
import { parseLeadEvent, parseWireLeadEvent } from './lead-event.js';
import { eventSiteHostname, isSealedLeadEvent, openLeadEvent } from './lead-event-seal.js';
import { outboundMappingInput } from './mapping-input.js';
import { buildEnvelopePayload, buildZapierPayload } from './webhook-payload.js';

const site = { id: '01a22d99-65b5-76cc-99f7-7c662569eb7b', hostname: 'www.example.com', name: 'Example' };
const erasedAt = new Date('2026-12-03T18:00:00.000Z');
const sut = () =>
  buildLeadDeletedEvent('01a22d99-6a9d-72da-bbc0-5631482249ab', erasedAt, {
    leadId: '01a22d99-661b-771a-adfe-526a5db11bd3',
    siteId: site.id,
    reason: 'retention',
  });

describe('lead.deleted', () => {
  it('carries ids, when and why, and nothing else', () => {
    expect(sut()).toEqual({
      id: '01a22d99-6a9d-72da-bbc0-5631482249ab',
      type: 'lead.deleted',
      version: 1,
      occurred_at: '2026-12-03T18:00:00.000Z',
      data: {
        lead_id: '01a22d99-661b-771a-adfe-526a5db11bd3',
        site_id: site.id,
        erased_at: '2026-12-03T18:00:00.000Z',
        reason: 'retention',
      },
    });
  });

  it('is validated as it travels (plain, never sealed) and opens without a key', () => {
    const event = sut();
    expect(parseWireLeadEvent(JSON.stringify(event))).toEqual({ ok: true, event });
    expect(parseLeadEvent(event)).toEqual({ ok: true, event });
    expect(isSealedLeadEvent(event)).toBe(false);
    expect(openLeadEvent(event, null)).toEqual({ ok: true, event });
    expect(eventSiteHostname(event)).toBeNull();
  });

  it('refuses a lead.deleted that carries anything beyond ids (it must never carry personal data)', () => {
    const event = sut();
    const withEmail = { ...event, data: { ...event.data, email: 'ada@example.com' } };
    expect(parseWireLeadEvent(withEmail)).toMatchObject({
      ok: false,
      code: 'invalid-event',
      reason: expect.stringContaining('unexpected: email'),
    });
    expect(parseWireLeadEvent({ ...event, data: { ...event.data, reason: 'bored' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('data.reason must be one of request, retention, site_deleted'),
    });
    expect(parseWireLeadEvent({ ...event, data: { ...event.data, lead_id: 'x' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('data.lead_id must be a uuid'),
    });
    expect(parseWireLeadEvent({ ...event, version: 2 })).toMatchObject({
      ok: false,
      code: 'unknown-version',
    });
  });

  it('builds the flat and envelope payloads from ids and the site only', () => {
    const event = sut();
    expect(buildZapierPayload(event, site, 2)).toEqual({
      id: event.id,
      event: 'lead.deleted',
      event_id: event.id,
      lead_id: event.data.lead_id,
      site_id: site.id,
      site_hostname: site.hostname,
      site_name: site.name,
      erased_at: '2026-12-03T18:00:00.000Z',
      reason: 'retention',
      attempt: 2,
    });
    expect(buildEnvelopePayload(event, site, 1)).toEqual({
      event: 'lead.deleted',
      event_id: event.id,
      timestamp: '2026-12-03T18:00:00.000Z',
      attempt: 1,
      data: {
        lead_id: event.data.lead_id,
        site_id: site.id,
        site_hostname: site.hostname,
        site_name: site.name,
        erased_at: '2026-12-03T18:00:00.000Z',
        reason: 'retention',
      },
    });
    expect(outboundMappingInput(event, site, 1)).toMatchObject({
      event: 'lead.deleted',
      lead: event.data,
      changes: null,
      version: null,
    });
  });
});
