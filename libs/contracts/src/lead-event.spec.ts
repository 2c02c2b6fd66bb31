import { buildLeadCreatedEvent } from './lead-created.event.js';
import { parseLeadCreatedEvent } from './lead-event.js';

const valid = buildLeadCreatedEvent('0193a2b4-0000-7000-8000-00000000e001', new Date(), {
  lead_id: '0193a2b4-0000-7000-8000-000000000001',
  site_id: '0193a2b4-0000-7000-8000-0000000000aa',
  site_hostname: 'acme.test',
  submitted_at: new Date().toISOString(),
  page_url: null,
  lead_source: null,
  form_type: null,
  name: null,
  email: 'ada@example.com',
  phone: null,
  message: null,
  extra: {},
});

describe(parseLeadCreatedEvent.name, () => {
  it('accepts a valid v1 envelope from a Buffer', () => {
    const sut = parseLeadCreatedEvent(Buffer.from(JSON.stringify(valid)));
    expect(sut).toEqual({ ok: true, event: valid });
  });

  it('rejects non-JSON without throwing', () => {
    expect(parseLeadCreatedEvent('{nope')).toMatchObject({ ok: false, code: 'invalid-json' });
  });

  it('reports an unknown version distinctly so it can be dead-lettered with a clear reason', () => {
    const sut = parseLeadCreatedEvent(JSON.stringify({ ...valid, version: 2 }));
    expect(sut).toMatchObject({ ok: false, code: 'unknown-version' });
    expect(!sut.ok && sut.reason).toContain('version 2');
  });

  it('names every broken field', () => {
    const broken = {
      ...valid,
      occurred_at: 'yesterday',
      data: { ...valid.data, lead_id: 'x', extra: { nested: { a: 1 } } },
    };
    const sut = parseLeadCreatedEvent(JSON.stringify(broken));
    expect(sut.ok).toBe(false);
    const reason = !sut.ok ? sut.reason : '';
    expect(reason).toContain('occurred_at');
    expect(reason).toContain('data.lead_id');
    expect(reason).toContain('data.extra.nested');
  });
});
