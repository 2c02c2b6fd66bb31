'use strict';

const zapier = require('zapier-platform-core');
const { validateAppDefinition } = require('zapier-platform-schema');
const App = require('../index');
const { labelOf, leadBody } = require('../lib/lead-fields');

/**
 * The app definition as Zapier receives it, run through the checks that can run offline: the schema (what
 * `zapier-platform validate` runs locally, and `zapier push` before upload), core's own validate command, and the
 * definition rules of Zapier's published integration checks that can be read from the definition alone (wording
 * of labels and descriptions, help text, labels of output fields, samples, dropdown and search-connector wiring).
 * The integration checks that need Zapier's servers (live Zap history, connected accounts, marketing, stats,
 * compatibility with the public version) are listed in docs/zapier.md.
 */
describe('the Zapier app definition', () => {
  const run = (command) => {
    const handler = zapier.createAppHandler(App);
    return new Promise((resolve, reject) =>
      handler({ command, method: '', bundle: {} }, {}, (error, response) =>
        error ? reject(error) : resolve(response.results),
      ),
    );
  };
  const operations = (kind) => Object.values(App[kind]).map((operation) => ({ kind, ...operation }));
  const visible = (list) => list.filter((operation) => !operation.display.hidden);
  const triggers = operations('triggers');
  const actions = [...operations('creates'), ...operations('searches')];

  it('validates against zapier-platform-schema (the definition Zapier receives), versions pinned', async () => {
    const definition = await run('definition');
    const results = validateAppDefinition(definition);
    expect(results.errors.map((error) => `${error.property}: ${error.message}`)).toEqual([]);
    expect(definition.platformVersion).toBe(require('../package.json').dependencies['zapier-platform-core']);
    expect(App.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('passes core’s own validate command (the local part of zapier-platform validate)', async () => {
    expect(await run('validate')).toEqual([]);
  });

  it('has the triggers, actions and search the integration promises; hooks have every REST hook method', () => {
    expect(Object.keys(App.triggers)).toEqual(['new_lead', 'updated_lead', 'deleted_lead', 'recent_leads']);
    expect(Object.keys(App.creates)).toEqual(['create_lead', 'update_lead']);
    expect(Object.keys(App.searches)).toEqual(['find_lead']);
    for (const trigger of visible(triggers)) {
      expect(trigger.operation.type).toBe('hook');
      for (const method of ['perform', 'performList', 'performSubscribe', 'performUnsubscribe'])
        expect(typeof trigger.operation[method]).toBe('function');
    }
    expect(App.triggers.recent_leads.display.hidden).toBe(true);
  });

  it('starts descriptions as Zapier’s checks ask ("Triggers when…", "Creates…", "Finds…") and keeps them short', () => {
    const starts = { triggers: /^Triggers when /, creates: /^(Creates|Updates) /, searches: /^Finds / };
    for (const operation of [...triggers, ...actions]) {
      const { description } = operation.display;
      expect({ key: operation.key, ok: starts[operation.kind].test(description) }).toEqual({
        key: operation.key,
        ok: true,
      });
      expect(description.length).toBeLessThanOrEqual(120);
      expect(description).toMatch(/\.$/);
    }
    expect(App.searchOrCreates.find_lead.display.description).toMatch(/^Finds /);
  });

  it('writes labels in Title Case with a noun, and help text for every field a user fills', () => {
    const smallWords = new Set(['or', 'and', 'of', 'a', 'an', 'the', 'to', 'at', 'in', 'on', 'for', 'by']);
    const titleCase = (label) =>
      label.split(' ').every((word, index) => (index > 0 && smallWords.has(word)) || /^[A-Z0-9]/.test(word));
    for (const operation of [...triggers, ...actions]) {
      expect(titleCase(operation.display.label)).toBe(true);
      expect(operation.noun).toBe('Lead');
      for (const field of operation.operation.inputFields ?? []) {
        expect(field.label).toEqual(expect.any(String));
        expect(field.helpText?.length ?? 0).toBeGreaterThanOrEqual(20);
      }
    }
    for (const field of App.authentication.fields)
      expect(field.helpText?.length ?? 0).toBeGreaterThanOrEqual(20);
  });

  it('asks for the API key in the connection only, never in an action (the key field is a password)', () => {
    for (const operation of [...triggers, ...actions])
      for (const field of operation.operation.inputFields ?? [])
        expect(field.key).not.toMatch(/api_?key|token|password|secret/i);
    expect(App.authentication.fields.find((field) => field.key === 'api_key').type).toBe('password');
  });

  it('labels every output field, declares every key of the static samples, and hides internal zapier_* state', () => {
    for (const operation of [...triggers, ...actions]) {
      const { outputFields, sample } = operation.operation;
      expect(outputFields.length).toBeGreaterThan(0);
      for (const field of outputFields) expect(field.label).toEqual(expect.any(String));
      const declared = new Set(outputFields.map((field) => field.key));
      const scalars = Object.keys(sample).filter(
        (key) => typeof sample[key] !== 'object' || sample[key] === null,
      );
      expect({ key: operation.key, undeclared: scalars.filter((key) => !declared.has(key)) }).toEqual({
        key: operation.key,
        undeclared: [],
      });
      expect(sample).toEqual(expect.objectContaining({ id: expect.any(String) }));
    }
    for (const operation of actions) {
      expect(Object.keys(operation.operation.sample).filter((key) => key.startsWith('zapier_'))).toEqual([]);
      expect(operation.operation.outputFields.filter((field) => field.key.startsWith('zapier_'))).toEqual([]);
    }
  });

  it("wires Update Lead's Lead ID to a dropdown of recent leads and a search connector to Find Lead", () => {
    const leadId = App.creates.update_lead.operation.inputFields.find((field) => field.key === 'id');
    expect(leadId).toMatchObject({
      required: true,
      dynamic: 'recent_leads.id.label',
      search: 'find_lead.id',
    });
    const [trigger, value, label] = leadId.dynamic.split('.');
    const dropdown = App.triggers[trigger];
    expect(dropdown.display.hidden).toBe(true);
    expect(Object.keys(dropdown.operation.sample)).toEqual(expect.arrayContaining([value, label]));
    const [search, field] = leadId.search.split('.');
    expect(App.searches[search].operation.sample).toHaveProperty(field);
    expect(App.searchOrCreates.find_lead).toMatchObject({ search: 'find_lead', create: 'create_lead' });
  });

  it('names fields in the words the Zap editor shows', () => {
    expect(labelOf('email')).toBe('Email');
    expect(labelOf('page_url')).toBe('Page URL');
    expect(labelOf('extra.company')).toBe('Other Fields: company');
    expect(labelOf('body')).toBe('body');
    expect(leadBody({ name: 'Ada', email: '', extra: { company: 'Acme', name: 'ignored' } })).toEqual({
      name: 'Ada',
      company: 'Acme',
    });
  });
});
