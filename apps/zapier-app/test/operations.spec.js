'use strict';

const zapier = require('zapier-platform-core');
const App = require('../index');
const { LEAD_RECORD_SAMPLE } = require('../lib/samples');
const { startScriptedServer } = require('./support/scripted-server');

/**
 * What a Zap run does with each kind of answer (through zapier-platform-core's whole middleware chain, against a
 * loopback server): the expired-auth error on 401, one 403 sentence, Retry-After honoured, no redirect followed,
 * unsubscribe done on 404, and the lead without leadhooks' internal delivery state.
 */
describe('operations against leadhooks answers', () => {
  const appTester = zapier.createAppTester(App);
  let server;
  let authData;
  const apiLead = {
    ...LEAD_RECORD_SAMPLE,
    extra: { company: 'Acme' },
    zapier_status: 'SENT',
    zapier_attempt_count: 1,
    zapier_last_attempt_at: '2026-11-30T17:55:58.000Z',
    zapier_last_error: null,
    zapier_sent_at: '2026-11-30T17:55:58.000Z',
    attempts: [],
    deliveries: [],
  };
  const update = (inputData) => appTester(App.creates.update_lead.operation.perform, { authData, inputData });

  beforeAll(async () => {
    process.env.LEADHOOKS_ALLOW_HTTP = 'true';
    server = await startScriptedServer();
    authData = { base_url: server.url, api_key: `lh_site_abcdefghij_${'k'.repeat(32)}` };
  });
  afterAll(async () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    await server.stop();
  });

  it('raises the expired-auth error on a 401 during a Zap run, so Zapier asks the user to reconnect', async () => {
    server.answer(() => ({ status: 401, body: { message: 'Invalid or revoked API key' } }));
    const failure = update({ id: LEAD_RECORD_SAMPLE.id, name: 'Ada' }).catch((error) => error);
    const error = await failure;
    expect(error.name).toBe('ExpiredAuthError');
    expect(error.message).toMatch(/no longer accepts the site API key .* reconnect/);
  });

  it("says a 403 once, in the API's words", async () => {
    server.answer(() => ({
      status: 403,
      body: { message: "REST hooks belong to a site: use the site's API key (lh_site_…)" },
    }));
    const error = await update({ id: LEAD_RECORD_SAMPLE.id, name: 'Ada' }).catch((e) => e);
    expect(JSON.parse(error.message)).toMatchObject({
      message:
        "leadhooks refused this with the connected key: REST hooks belong to a site: use the site's API key (lh_site_…).",
      code: 'Forbidden',
    });
    expect(error.message.match(/lh_site_/g)).toHaveLength(1);
  });

  it('names an unknown lead (404) instead of passing the error body on as a lead', async () => {
    server.answer(() => ({ status: 404, body: { statusCode: 404, message: 'No lead 0193' } }));
    await expect(update({ id: '0193', name: 'Ada' })).rejects.toThrow(
      /leadhooks answered 404: No lead 0193\./,
    );
    await expect(appTester(App.triggers.new_lead.operation.performList, { authData })).rejects.toThrow(
      /leadhooks answered 404/,
    );
  });

  it('lets Zapier retry after Retry-After on 429 (core) and on 502/503/504 (ours), a minute when unnamed', async () => {
    server.answer(() => ({ status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '7' } }));
    let error = await update({ id: 'x', name: 'Ada' }).catch((e) => e);
    expect(error.name).toBe('ThrottledError');
    expect(JSON.parse(error.message).delay).toBe(7);
    server.answer(() => ({
      status: 503,
      body: { message: 'unavailable' },
      headers: { 'retry-after': '30' },
    }));
    error = await update({ id: 'x', name: 'Ada' }).catch((e) => e);
    expect(error.name).toBe('ThrottledError');
    expect(JSON.parse(error.message)).toMatchObject({ delay: 30 });
    server.answer(() => ({ status: 502, body: '<html>bad gateway</html>' }));
    error = await update({ id: 'x', name: 'Ada' }).catch((e) => e);
    expect(JSON.parse(error.message)).toMatchObject({ delay: 60 });
    server.answer(() => ({ status: 500, body: { message: 'Internal server error' } }));
    await expect(update({ id: 'x', name: 'Ada' })).rejects.toThrow(
      /leadhooks answered 500: Internal server error\./,
    );
  });

  it('never follows a redirect with the key; says where it points', async () => {
    server.answer((request) =>
      request.url.startsWith('/elsewhere')
        ? { status: 200, body: apiLead }
        : { status: 302, body: '', headers: { location: `${server.url}/elsewhere` } },
    );
    const before = server.requests.length;
    await expect(update({ id: 'x', name: 'Ada' })).rejects.toThrow(
      /redirect \(302 to http:\/\/127\.0\.0\.1:\d+\/elsewhere\)/,
    );
    expect(server.requests.length).toBe(before + 1);
  });

  it('treats 404 on unsubscribe as done (already removed, or another site now), other failures as errors', async () => {
    server.answer(() => ({ status: 404, body: { message: 'No REST hook h-1' } }));
    const subscribeData = { id: 'h-1', secret: 'whsec_x' };
    await expect(
      appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData }),
    ).resolves.toEqual({});
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/v1/hooks/h-1' });
    server.answer(() => ({ status: 204, body: '' }));
    await expect(
      appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData }),
    ).resolves.toEqual({});
    server.answer(() => ({ status: 401, body: { message: 'Invalid or revoked API key' } }));
    await expect(
      appTester(App.triggers.new_lead.operation.performUnsubscribe, { authData, subscribeData }),
    ).rejects.toThrow(/no longer accepts the site API key/);
  });

  it("outputs a lead from actions and the search without leadhooks' zapier_* delivery state", async () => {
    server.answer((request) => ({
      status: 200,
      body: request.url.startsWith('/v1/leads/search') ? [apiLead] : apiLead,
    }));
    const expected = { ...LEAD_RECORD_SAMPLE, extra: { company: 'Acme' } };
    await expect(update({ id: LEAD_RECORD_SAMPLE.id, name: 'Ada' })).resolves.toEqual(expected);
    await expect(
      appTester(App.creates.create_lead.operation.perform, {
        authData,
        inputData: { email: 'ada@example.com' },
      }),
    ).resolves.toEqual(expected);
    await expect(
      appTester(App.searches.find_lead.operation.perform, {
        authData,
        inputData: { email: 'ada@example.com' },
      }),
    ).resolves.toEqual([expected]);
  });

  it('fills the Lead ID dropdown with the newest leads, labelled by name and email', async () => {
    server.answer(() => ({
      status: 200,
      body: [
        {
          lead_id: 'l-2',
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          submitted_at: '2026-11-30T18:00:00Z',
        },
        {
          lead_id: '0193-abcdef',
          name: null,
          email: null,
          phone: '+44 20',
          submitted_at: '2026-11-30T17:00:00Z',
        },
      ],
    }));
    await expect(appTester(App.triggers.recent_leads.operation.perform, { authData })).resolves.toEqual([
      { id: 'l-2', label: 'Ada Lovelace <ada@example.com>', submitted_at: '2026-11-30T18:00:00Z' },
      { id: '0193-abcdef', label: '+44 20 (abcdef)', submitted_at: '2026-11-30T17:00:00Z' },
    ]);
    expect(server.requests.at(-1).url).toBe('/v1/leads?limit=100&event=lead.created');
  });

  it('refuses an http leadhooks URL on every operation (the connection needs fixing: expired auth) without the local-testing flag', async () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    const before = server.requests.length;
    try {
      const error = await update({ id: 'x', name: 'Ada' }).catch((e) => e);
      expect(error.name).toBe('ExpiredAuthError');
      expect(error.message).toMatch(
        /must start with https:\/\/.*Reconnect leadhooks with the corrected URL\./,
      );
    } finally {
      process.env.LEADHOOKS_ALLOW_HTTP = 'true';
    }
    expect(server.requests.length).toBe(before);
  });
});
