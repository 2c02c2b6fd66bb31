import { afterAll, describe, expect, it } from '@jest/globals';
import {
  findPreset,
  INBOUND_PRESETS,
  type MappingInput,
  offeredHeaders,
  parseInboundBody,
} from '@leadhooks/inbound';
import { checkMappingSyntax, DEFAULT_MAPPING_LIMITS, MappingEngine } from '@leadhooks/mapping';
import {
  GRAVITY_FORMS_ENTRY,
  jotformSubmissionParts,
  TALLY_FORM_RESPONSE,
  TYPEFORM_FORM_RESPONSE,
  WEBFLOW_FORM_SUBMISSION,
} from '@leadhooks/testing';
import { inboundLeadFrom } from './inbound-lead.js';

/** A request body as the tool sends it: its bytes and Content-Type. */
async function encoded(body: object | Array<[string, string]>, type: 'json' | 'multipart' | 'urlencoded') {
  if (type === 'json') return { contentType: 'application/json', raw: Buffer.from(JSON.stringify(body)) };
  const entries = body as Array<[string, string]>;
  if (type === 'urlencoded')
    return {
      contentType: 'application/x-www-form-urlencoded',
      raw: Buffer.from(new URLSearchParams(entries).toString()),
    };
  const form = new FormData();
  for (const [key, value] of entries) form.append(key, value);
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return { contentType: request.headers.get('content-type')!, raw: Buffer.from(await request.arrayBuffer()) };
}

/**
 * Each preset on a payload shaped exactly as its tool sends it (fixtures in libs/testing/src/inbound-fixtures name
 * the tool's documentation they come from): the request is parsed as the inbound route parses it, the preset's
 * mapping runs in the real mapping engine, and the lead goes through intake's validation.
 */
describe('inbound presets on the tools’ documented payloads', () => {
  // What is checked here is each preset's output, not its speed: a wall-time limit far above the app's (1 s), so a
  // machine starved of CPU does not fail a correct mapping (the limits have their own tests in libs/mapping).
  const engine = new MappingEngine({ ...DEFAULT_MAPPING_LIMITS, timeoutMs: 20_000 }, 1);
  afterAll(() => engine.close());

  async function mapThrough(presetId: string, request: { contentType: string; raw: Buffer }) {
    const parsed = await parseInboundBody(request.contentType, request.raw);
    if (!parsed.ok) throw new Error(parsed.message);
    const input: MappingInput = {
      body: parsed.body,
      headers: offeredHeaders({ 'content-type': request.contentType, 'user-agent': 'tool' }),
      query: {},
    };
    const result = await engine.evaluate(findPreset(presetId)!.mapping, input);
    if (!result.ok) throw new Error(`${result.error.message} (at ${result.error.position})`);
    const verdict = inboundLeadFrom(result.json, `${presetId} source`);
    if (!verdict.ok) throw new Error(JSON.stringify(verdict.errors));
    return {
      fields: { ...verdict.submission.fields },
      extra: verdict.submission.extra,
      key: verdict.idempotencyKey,
    };
  }

  it('every preset parses, within the mapping length limit', () => {
    for (const preset of INBOUND_PRESETS)
      expect([preset.id, checkMappingSyntax(preset.mapping, DEFAULT_MAPPING_LIMITS)]).toEqual([
        preset.id,
        null,
      ]);
  });

  it('Typeform: the e-mail, the first-name and long-text answers, other answers by ref, the token as id', async () => {
    const lead = await mapThrough('typeform', await encoded(TYPEFORM_FORM_RESPONSE, 'json'));
    expect(lead.fields).toEqual({
      name: 'Laura',
      email: 'laura@example.com',
      message:
        "It's cold right now! I live in an older medium-sized city with a university. Geographically, the area is hilly.",
      form_type: 'Webhooks example',
      lead_source: 'typeform source',
    });
    expect(lead.extra).toEqual({
      readable_ref_date: '2005-10-15',
      readable_ref_picture_choice: ['London', 'Sydney'],
      readable_ref_number1: 5,
      readable_ref_legal: true,
      readable_ref_multiple_choice: 'London',
      readable_ref_yes_no: false,
      readable_ref_opinion_scale: 2,
      readable_ref_rating: 3,
      readable_ref_number2: 4,
      user_id: 'abc123456',
      score: 9,
    });
    expect(lead.key).toBe('a3a12ec67a1365927098a606107fac15');
  });

  it('Tally: e-mail, phone and long text, choices as their texts, files as URLs, the response id as id', async () => {
    const lead = await mapThrough('tally', await encoded(TALLY_FORM_RESPONSE, 'json'));
    expect(lead.fields).toEqual({
      email: 'alice@example.com',
      phone: '+32491223344',
      message: 'Hello world',
      form_type: 'Webhook payload',
      lead_source: 'tally source',
    });
    expect(lead.extra).toMatchObject({
      utm_campaign: 'newsletter',
      Score: 20,
      Text: 'Hello',
      'Multiple choice': 'In progress',
      Checkboxes: ['Swimming', 'Skiing'],
      'Multi-select': ['Golf', 'Surf'],
      'File upload':
        'https://storage.googleapis.com/tally-response-assets-dev/vBXMXN/34fd1ee5-4ead-4929-9a4a-918ac9f0b416/Tally_Icon.png',
      'Payment (name)': 'Alice Smith',
      Ranking: ['Apple', 'Pear', 'Banana'],
    });
    expect(Object.keys(lead.extra)).not.toContain('Checkboxes (Soccer)');
    expect(typeof lead.extra.Matrix).toBe('string');
    expect(lead.key).toBe('2wgx4n');
  });

  it('Webflow: first and last name joined, the numeric phone as text, the form name, the submission id', async () => {
    const lead = await mapThrough('webflow', await encoded(WEBFLOW_FORM_SUBMISSION, 'json'));
    expect(lead.fields).toEqual({
      name: 'Zaphod Beeblebrox',
      email: 'zaphod@heartofgold.ai',
      phone: '15550000000',
      form_type: 'Contact Us',
      lead_source: 'webflow source',
    });
    expect(lead.extra).toEqual({});
    expect(lead.key).toBe('6321ca84df3949bfc6752327');
  });

  it('Jotform: the multipart rawRequest parsed, name and phone fields joined, the submission id', async () => {
    const parts = jotformSubmissionParts('https://leads.example.com/v1/inbound/lhin_x');
    const lead = await mapThrough('jotform', await encoded(parts, 'multipart'));
    expect(lead.fields).toEqual({
      name: 'Kin Lane',
      email: 'kin@example.com',
      phone: '(555) 555-0101',
      message: 'Please call me back about the spring offer.',
      form_type: 'Contact Us',
      lead_source: 'jotform source',
    });
    expect(lead.extra).toEqual({ howDid7: 'A friend' });
    expect(lead.key).toBe('5123456789012345678');
    // Jotform also posts urlencoded when asked to: the same mapping reads it.
    expect((await mapThrough('jotform', await encoded(parts, 'urlencoded'))).fields.email).toBe(
      'kin@example.com',
    );
  });

  it('Gravity Forms (all fields): the name inputs, e-mail, phone, paragraph as message, the entry id', async () => {
    const lead = await mapThrough('gravity_forms', await encoded(GRAVITY_FORMS_ENTRY, 'json'));
    expect(lead.fields).toEqual({
      name: 'Ben Ridley',
      email: 'ben@example.com',
      phone: '(555) 555-1212',
      message: 'We are moving offices in March.\nCould you send a quote for the new space?',
      page_url: 'https://example.com/contact/',
      form_type: 'form 1',
      lead_source: 'gravity_forms source',
    });
    expect(lead.extra).toEqual({ 'field 5': 'Quote request' });
    expect(lead.key).toBe('134');
  });

  it('Gravity Forms (select fields named like the lead) and the custom preset read named fields', async () => {
    const named = { name: 'Ada', email: 'ada@example.com', plan: 'pro', entry_id: '77' };
    const viaGravity = await mapThrough('gravity_forms', await encoded(named, 'json'));
    expect(viaGravity).toMatchObject({
      fields: { name: 'Ada', email: 'ada@example.com' },
      extra: { plan: 'pro' },
      key: '77',
    });
    const viaCustom = await mapThrough(
      'custom',
      await encoded(
        [
          ['email', 'ada@example.com'],
          ['plan', 'pro'],
          ['idempotency_key', 'k1'],
        ],
        'urlencoded',
      ),
    );
    expect(viaCustom).toEqual({
      fields: { email: 'ada@example.com', lead_source: 'custom source' },
      extra: { plan: 'pro' },
      key: 'k1',
    });
  });
});
