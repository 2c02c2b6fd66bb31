import { buildLeadCreatedEvent } from './lead-created.event.js';
import { buildLeadUpdatedEvent } from './lead-updated.event.js';
import { buildZapierPayload } from './webhook-payload.js';

const event = buildLeadCreatedEvent('evt_1', new Date('2026-11-24T10:00:00.000Z'), {
  lead_id: '0193a2b4-0000-7000-8000-000000000001',
  site_id: '0193a2b4-0000-7000-8000-0000000000aa',
  site_hostname: 'acme.test',
  submitted_at: '2026-11-24T10:00:00.000Z',
  page_url: 'https://acme.test/contact',
  lead_source: 'google',
  form_type: 'contact',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: null,
  message: 'Call me',
  extra: { budget: 5000, newsletter: true, email: 'shadow@example.com' },
});
const site = { id: event.data.site_id, hostname: 'acme.test', name: 'Acme' };

describe(buildZapierPayload.name, () => {
  it('builds the flat SPEC payload with site identity and attempt', () => {
    const sut = buildZapierPayload(event, site, 3);
    expect(sut).toEqual({
      id: 'evt_1',
      event: 'lead.created',
      event_id: 'evt_1',
      lead_id: event.data.lead_id,
      submitted_at: '2026-11-24T10:00:00.000Z',
      site_id: event.data.site_id,
      site_hostname: 'acme.test',
      site_name: 'Acme',
      page_url: 'https://acme.test/contact',
      lead_source: 'google',
      form_type: 'contact',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      message: 'Call me',
      budget: 5000,
      newsletter: true,
      extra_email: 'shadow@example.com',
      attempt: 3,
    });
  });

  it('never lets an extra field overwrite a reserved key', () => {
    const sut = buildZapierPayload(event, site, 1);
    expect(sut.email).toBe('ada@example.com');
    expect(Object.values(sut).every((value) => value === null || typeof value !== 'object')).toBe(true);
  });

  it('carries the event id as `id` in every delivery of one event, whatever the attempt', () => {
    expect([1, 2, 6].map((attempt) => buildZapierPayload(event, site, attempt).id)).toEqual([
      'evt_1',
      'evt_1',
      'evt_1',
    ]);
  });

  it('keeps a form field named `id` as `extra_id`, never as the payload id (created and updated events)', () => {
    const withId = { ...event, data: { ...event.data, extra: { id: 'form-row-7', extra_id: 'x' } } };
    const sut = buildZapierPayload(withId, site, 1);
    expect(sut).toMatchObject({ id: 'evt_1', event_id: 'evt_1', extra_id: 'form-row-7' });

    const updated = buildLeadUpdatedEvent('evt_2', new Date('2026-11-24T11:00:00.000Z'), {
      ...withId.data,
      version: 2,
      changes: { 'extra.id': { from: 'form-row-6', to: 'form-row-7' } },
    });
    expect(buildZapierPayload(updated, site, 1)).toMatchObject({
      id: 'evt_2',
      extra_id: 'form-row-7',
      changed_fields: 'extra_id',
      previous_extra_id: 'form-row-6',
    });
  });
});
