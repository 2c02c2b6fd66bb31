import { buildLeadCreatedEvent } from './lead-created.event.js';
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

describe(buildZapierPayload.name, () => {
  it('builds the flat SPEC payload with site identity and attempt', () => {
    const sut = buildZapierPayload(event, { id: event.data.site_id, hostname: 'acme.test', name: 'Acme' }, 3);
    expect(sut).toEqual({
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
    const sut = buildZapierPayload(event, { id: event.data.site_id, hostname: 'acme.test', name: 'Acme' }, 1);
    expect(sut.email).toBe('ada@example.com');
    expect(Object.values(sut).every((value) => value === null || typeof value !== 'object')).toBe(true);
  });
});
