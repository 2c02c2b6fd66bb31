'use strict';

const crypto = require('node:crypto');
const zapier = require('zapier-platform-core');
const App = require('../index');
const { NEW_LEAD_SAMPLE } = require('../lib/samples');

/** A delivery as Zapier hands it to `perform`: the parsed body, and the raw request with `Http-` headers. */
function delivery(payload, secret, { timestamp = Math.floor(Date.now() / 1000), sign = true } = {}) {
  const content = JSON.stringify(payload);
  const signature = crypto
    .createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
    .update(`${payload.event_id}.${timestamp}.${content}`)
    .digest('base64');
  const headers = { 'Content-Type': 'application/json' };
  if (sign)
    Object.assign(headers, {
      'Http-Webhook-Id': payload.event_id,
      'Http-Webhook-Timestamp': String(timestamp),
      'Http-Webhook-Signature': `v1,${signature}`,
    });
  return { cleanedRequest: JSON.parse(content), rawRequest: { method: 'POST', content, headers } };
}

describe('REST hook triggers: perform', () => {
  const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  const hook = { id: 'hook-1', secret, event: 'lead.created' };
  let appTester;
  const perform = (request, subscribeData = hook) =>
    appTester(App.triggers.new_lead.operation.perform, { authData: {}, subscribeData, ...request });
  const event = (id, extra = {}) => ({ ...NEW_LEAD_SAMPLE, id, event_id: id, ...extra });

  beforeEach(() => {
    appTester = zapier.createAppTester(App); // a fresh z.cache per test
  });

  it('outputs the event with its event id as `id`, and a retry of the same event not again', async () => {
    const first = event('evt-1', { attempt: 1 });
    await expect(perform(delivery(first, secret))).resolves.toEqual([first]);
    // The dispatcher's retry after a timeout Zapier had received: same event id, new attempt, new signature.
    await expect(perform(delivery({ ...first, attempt: 2 }, secret))).resolves.toEqual([]);
    await expect(perform(delivery(event('evt-2'), secret))).resolves.toEqual([event('evt-2')]);
  });

  it('lets each Zap (subscription) see an event once, whichever other Zaps saw it', async () => {
    const one = event('evt-3');
    await expect(perform(delivery(one, secret))).resolves.toHaveLength(1);
    await expect(perform(delivery(one, secret), { ...hook, id: 'hook-2' })).resolves.toHaveLength(1);
  });

  it('never outputs a form field as the item id (an old delivery without `id` uses event_id)', async () => {
    const legacy = { ...event('evt-4'), extra_id: 'form-row-9' };
    delete legacy.id;
    await expect(perform(delivery(legacy, secret))).resolves.toEqual([{ ...legacy, id: 'evt-4' }]);
  });

  it('refuses an unsigned, a forged and a stale request when the subscription has a secret', async () => {
    await expect(perform(delivery(event('evt-5'), secret, { sign: false }))).rejects.toThrow(
      /carried no leadhooks signature/,
    );
    const other = `whsec_${crypto.randomBytes(24).toString('base64')}`;
    await expect(perform(delivery(event('evt-5'), other))).rejects.toThrow(/valid leadhooks signature/);
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const stale = perform(delivery(event('evt-5'), secret, { timestamp: tenMinutesAgo }));
    await expect(stale).rejects.toThrow(/signed more than five minutes ago/);
    const error = await perform(delivery(event('evt-5'), secret, { sign: false })).catch((e) => e);
    expect(error.name).toBe('HaltedError');
    // None of them counted as seen: the real delivery still triggers.
    await expect(perform(delivery(event('evt-5'), secret))).resolves.toHaveLength(1);
  });

  it('trusts the signed bytes, not a differently parsed body, and skips other event types', async () => {
    const signed = delivery(event('evt-6'), secret);
    signed.cleanedRequest = { ...signed.cleanedRequest, email: 'eve@example.com' };
    await expect(perform(signed)).resolves.toEqual([event('evt-6')]);
    await expect(perform(delivery(event('evt-7', { event: 'lead.updated' }), secret))).resolves.toEqual([]);
  });

  it('passes a delivery through when no cache is reachable (a second run beats a lost lead)', async () => {
    const { firstSighting } = require('../lib/seen-events');
    const logged = [];
    const z = {
      cache: { get: () => Promise.reject(new Error('rpc is not available')) },
      console: { log: (line) => logged.push(line) },
    };
    await expect(firstSighting(z, 'hook-1', 'evt-8')).resolves.toBe(true);
    expect(logged).toEqual([
      'Delivery evt-8 not checked for repeats (cache unavailable: rpc is not available)',
    ]);
    const racing = { cache: { get: () => Promise.resolve(null), set: () => Promise.resolve(false) } };
    await expect(firstSighting(racing, 'hook-1', 'evt-8')).resolves.toBe(false);
  });
});

describe('the Deleted Lead trigger', () => {
  const { DELETED_LEAD_SAMPLE } = require('../lib/samples');
  const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  const hook = { id: 'hook-del', secret, event: 'lead.deleted' };
  let appTester;
  const perform = (request) =>
    appTester(App.triggers.deleted_lead.operation.perform, { authData: {}, subscribeData: hook, ...request });
  const deleted = (id, extra = {}) => ({ ...DELETED_LEAD_SAMPLE, id, event_id: id, ...extra });

  beforeEach(() => {
    appTester = zapier.createAppTester(App);
  });

  it('outputs each lead.deleted once (by event id), with the ids a Zap needs to delete its copy', async () => {
    const first = deleted('del-1');
    await expect(perform(delivery(first, secret))).resolves.toEqual([first]);
    await expect(perform(delivery({ ...first, attempt: 2 }, secret))).resolves.toEqual([]);
    const [item] = await perform(delivery(deleted('del-2', { reason: 'retention' }), secret));
    expect(item).toMatchObject({ id: 'del-2', lead_id: DELETED_LEAD_SAMPLE.lead_id, reason: 'retention' });
    expect(Object.keys(item)).not.toEqual(expect.arrayContaining(['email']));
  });

  it('skips other events and refuses unsigned requests', async () => {
    await expect(
      perform(delivery({ ...NEW_LEAD_SAMPLE, id: 'evt-x', event_id: 'evt-x' }, secret)),
    ).resolves.toEqual([]);
    await expect(perform(delivery(deleted('del-3'), secret, { sign: false }))).rejects.toThrow(
      /carried no leadhooks signature/,
    );
  });

  it('subscribes its target URL to lead.deleted', async () => {
    const calls = [];
    const z = {
      request: async (options) => {
        calls.push(options);
        return { data: { id: 'hook-9', secret, event: 'lead.deleted' } };
      },
      errors: zapier.errors,
    };
    const bundle = {
      authData: { base_url: 'https://leadhooks.example.com' },
      targetUrl: 'https://hooks.zapier.com/x',
    };
    await expect(App.triggers.deleted_lead.operation.performSubscribe(z, bundle)).resolves.toMatchObject({
      id: 'hook-9',
    });
    expect(calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        body: { target_url: 'https://hooks.zapier.com/x', event: 'lead.deleted' },
      }),
    ]);
  });
});
