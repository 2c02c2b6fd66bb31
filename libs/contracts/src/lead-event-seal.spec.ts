import { buildLeadCreatedEvent } from './lead-created.event.js';
import { newLeadDataKey, openLeadEvent, sealLeadEvent } from './lead-event-seal.js';
import { parseLeadEvent, parseWireLeadEvent } from './lead-event.js';

const event = buildLeadCreatedEvent('0193a2b4-0000-7000-8000-00000000e001', new Date(), {
  lead_id: '0193a2b4-0000-7000-8000-000000000001',
  site_id: '0193a2b4-0000-7000-8000-0000000000aa',
  site_hostname: 'acme.test',
  submitted_at: new Date().toISOString(),
  page_url: 'https://acme.test/contact?ref=ada',
  lead_source: 'google',
  form_type: 'contact',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0018',
  message: 'Call me',
  extra: { plan: 'pro' },
});

describe(sealLeadEvent.name, () => {
  it('leaves no personal value readable, only the ids routing needs', () => {
    const sut = sealLeadEvent(event, newLeadDataKey());
    const text = JSON.stringify(sut);
    for (const value of ['Ada Lovelace', 'ada@example.com', '+44 20 7946 0018', 'Call me', 'ref=ada', 'pro'])
      expect(text).not.toContain(value);
    expect(sut.data).toMatchObject({ lead_id: event.data.lead_id, site_id: event.data.site_id });
    expect(parseWireLeadEvent(text)).toEqual({ ok: true, event: sut });
  });

  it('opens to the very event that was sealed, with the lead key only', () => {
    const key = newLeadDataKey();
    const sealed = sealLeadEvent(event, key);
    expect(openLeadEvent(sealed, key)).toEqual({ ok: true, event });
    expect(parseLeadEvent((openLeadEvent(sealed, key) as { event: unknown }).event)).toMatchObject({
      ok: true,
    });
    expect(openLeadEvent(sealed, newLeadDataKey())).toMatchObject({ ok: false, code: 'unreadable' });
  });

  it('reports a destroyed key (an erased lead) distinctly, and never throws', () => {
    const sealed = sealLeadEvent(event, newLeadDataKey());
    expect(openLeadEvent(sealed, null)).toMatchObject({ ok: false, code: 'erased' });
    const damaged = { ...sealed, data: { ...sealed.data, sealed: 'lk1.AAAA' } };
    expect(openLeadEvent(damaged, newLeadDataKey())).toMatchObject({ ok: false, code: 'unreadable' });
  });

  it('binds the ciphertext to its event: moved into another envelope, it does not open', () => {
    const key = newLeadDataKey();
    const sealed = sealLeadEvent(event, key);
    const moved = { ...sealed, id: '0193a2b4-0000-7000-8000-00000000e002' };
    expect(openLeadEvent(moved, key)).toMatchObject({ ok: false, code: 'unreadable' });
  });

  it('passes a plain event (an older message) through unchanged', () => {
    expect(openLeadEvent(event, null)).toEqual({ ok: true, event });
  });

  it('is refused by the strict parser (a sealed event is not a readable lead)', () => {
    expect(parseLeadEvent(sealLeadEvent(event, newLeadDataKey()))).toMatchObject({ ok: false });
  });
});
