'use strict';

const crypto = require('node:crypto');
const zapier = require('zapier-platform-core');
const { validateAppDefinition } = require('zapier-platform-schema');
const App = require('../index');
const { labelOf, leadBody } = require('../lib/lead-fields');
const { verifySignature } = require('../lib/signature');
const { idempotencyKeyOf } = require('../lib/idempotency');

describe('the Zapier app definition', () => {
  const run = (command) => {
    const handler = zapier.createAppHandler(App);
    return new Promise((resolve, reject) =>
      handler({ command, method: '', bundle: {} }, {}, (error, response) =>
        error ? reject(error) : resolve(response.results),
      ),
    );
  };

  it('validates against zapier-platform-schema (the definition Zapier receives), versions pinned', async () => {
    const definition = await run('definition');
    const results = validateAppDefinition(definition);
    expect(results.errors.map((error) => `${error.property}: ${error.message}`)).toEqual([]);
    expect(definition.platformVersion).toBe(require('../package.json').dependencies['zapier-platform-core']);
    expect(App.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('passes core’s own checks (what zapier validate runs)', async () => {
    expect(await run('validate')).toEqual([]);
  });

  it('has the triggers, actions and search the integration promises, each with help text and a sample', () => {
    expect(Object.keys(App.triggers)).toEqual(['new_lead', 'updated_lead']);
    expect(Object.keys(App.creates)).toEqual(['create_lead', 'update_lead']);
    expect(Object.keys(App.searches)).toEqual(['find_lead']);
    for (const operation of [
      ...Object.values(App.triggers),
      ...Object.values(App.creates),
      ...Object.values(App.searches),
    ]) {
      expect(operation.operation.sample).toEqual(expect.objectContaining({ id: expect.any(String) }));
      for (const field of operation.operation.inputFields ?? [])
        expect(field.helpText).toEqual(expect.any(String));
    }
    for (const trigger of Object.values(App.triggers)) expect(trigger.operation.type).toBe('hook');
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

  it('checks Standard Webhooks signatures as Zapier hands them over (Http- headers)', () => {
    const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    const content = JSON.stringify({ event: 'lead.created', lead_id: 'x' });
    const sign = (body) =>
      crypto
        .createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
        .update(`msg_1.1700000000.${body}`)
        .digest('base64');
    const headers = (signature) => ({
      'Http-Webhook-Id': 'msg_1',
      'Http-Webhook-Timestamp': '1700000000',
      'Http-Webhook-Signature': `v1,${signature}`,
    });
    expect(verifySignature({ content, headers: headers(sign(content)) }, secret)).toBe('valid');
    expect(verifySignature({ content: content + ' ', headers: headers(sign(content)) }, secret)).toBe(
      'invalid',
    );
    expect(verifySignature({ content, headers: {} }, secret)).toBe('unsigned');
    expect(verifySignature(undefined, secret)).toBe('unsigned');
  });

  it('derives a stable Idempotency-Key for a replayed step, and uses a mapped one when given', () => {
    const bundle = { inputData: {}, meta: { zap: { id: 42 } } };
    expect(idempotencyKeyOf(bundle, { email: 'a@example.com' })).toBe(
      idempotencyKeyOf(bundle, { email: 'a@example.com' }),
    );
    expect(idempotencyKeyOf(bundle, { email: 'a@example.com' })).not.toBe(
      idempotencyKeyOf(bundle, { email: 'b@example.com' }),
    );
    expect(idempotencyKeyOf({ inputData: { idempotency_key: ' row-7 ' } }, {})).toBe('zap:row-7');
  });
});
