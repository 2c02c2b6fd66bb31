'use strict';

const zapier = require('zapier-platform-core');
const App = require('../index');
const { unreachable } = require('../lib/connection');
const { startScriptedServer } = require('./support/scripted-server');

/** The connection test and label, against a loopback server answering as leadhooks (or as something else) would. */
describe('the connection (authentication test and label)', () => {
  const appTester = zapier.createAppTester(App);
  let server;
  const siteKey = `lh_site_abcdefghij_${'k'.repeat(32)}`;
  const test = (authData) => appTester(App.authentication.test, { authData });

  beforeAll(async () => {
    process.env.LEADHOOKS_ALLOW_HTTP = 'true';
    server = await startScriptedServer();
  });
  afterAll(async () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    await server.stop();
  });

  it('asks GET /v1/me with the key and labels the connection with the site and the key name', async () => {
    const me = { site_id: 's-1', hostname: 'acme.test', name: 'Acme', key_id: 'k-1', key_name: 'Zapier' };
    server.answer(() => ({ status: 200, body: me }));
    const identity = await test({ base_url: `${server.url}/`, api_key: ` ${siteKey} ` });
    expect(identity).toEqual({ site_id: 's-1', hostname: 'acme.test', name: 'Acme', key_name: 'Zapier' });
    const request = server.requests.at(-1);
    expect(request).toMatchObject({ method: 'GET', url: '/v1/me' });
    expect(request.headers.authorization).toBe(`Bearer ${siteKey}`);
    const label = await appTester(App.authentication.connectionLabel, { inputData: identity });
    expect(label).toBe('Acme (acme.test), key Zapier');
  });

  it.each([
    [
      'a wrong or revoked key (401)',
      { status: 401, body: { statusCode: 401, message: 'Invalid or revoked API key' } },
      /refused this API key: it is wrong, revoked, or from another leadhooks server\. Paste a current site API key/,
    ],
    [
      'an admin key (403)',
      { status: 403, body: { statusCode: 403, message: 'This is an admin API key…' } },
      /This is an admin API key\. Zapier connects with a site API key \(it starts with lh_site_\)/,
    ],
    [
      'a wrong path (404)',
      { status: 404, body: { message: 'Cannot GET /x/v1/me' } },
      /No leadhooks API answers at http:\/\/127\.0\.0\.1:\d+ \(.*\/v1\/me: 404\)\. Check the leadhooks URL/,
    ],
    [
      'a web page instead of the API (200 HTML)',
      { status: 200, body: '<!doctype html><title>Welcome</title>' },
      /answered, but not as leadhooks does \(it sent a web page\)\. Check the leadhooks URL/,
    ],
    [
      'some other JSON (200)',
      { status: 200, body: [{ id: 1 }] },
      /not as leadhooks does \(it sent JSON that is not a leadhooks answer\)/,
    ],
    [
      'a redirect, never followed with the key',
      { status: 301, body: '', headers: { location: 'https://elsewhere.example.com/v1/me' } },
      /redirects to https:\/\/elsewhere\.example\.com\/v1\/me \(301\)/,
    ],
    [
      'a server error (503)',
      { status: 503, body: { message: 'down' } },
      /is not answering properly right now \(503\)\. Try again in a few minutes\./,
    ],
  ])('explains %s in one sentence', async (_name, reply, message) => {
    server.answer(() => reply);
    await expect(test({ base_url: server.url, api_key: siteKey })).rejects.toThrow(message);
  });

  it('refuses an http URL without the local-testing flag, before sending the key anywhere', async () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    const before = server.requests.length;
    try {
      await expect(test({ base_url: server.url, api_key: siteKey })).rejects.toThrow(
        /must start with https:\/\/, not http:\/\//,
      );
    } finally {
      process.env.LEADHOOKS_ALLOW_HTTP = 'true';
    }
    expect(server.requests.length).toBe(before);
  });

  it('says when nothing answers at the address', async () => {
    await expect(test({ base_url: 'http://127.0.0.1:9', api_key: siteKey })).rejects.toThrow(
      /127\.0\.0\.1:9 did not accept the connection \(ECONNREFUSED\)/,
    );
    // A name that does not resolve (no DNS lookup here: tests talk to loopback only).
    expect(unreachable('https://no-such-host.example', { code: 'ENOTFOUND' })).toMatch(
      /^There is no server named no-such-host\.example\. Check the leadhooks URL\./,
    );
    await expect(test({ base_url: server.url, api_key: '  ' })).rejects.toThrow(/Paste your site API key/);
  });
});
