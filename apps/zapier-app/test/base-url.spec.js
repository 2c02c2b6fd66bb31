'use strict';

const { checkBaseUrl } = require('../lib/base-url');

describe('checkBaseUrl', () => {
  const saved = process.env.LEADHOOKS_ALLOW_HTTP;
  afterEach(() => {
    if (saved === undefined) delete process.env.LEADHOOKS_ALLOW_HTTP;
    else process.env.LEADHOOKS_ALLOW_HTTP = saved;
  });

  it('keeps an https address, without trailing slashes or a /v1 the app adds itself; a proxy path stays', () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    expect(checkBaseUrl(' https://leads.example.com/ ')).toEqual({ url: 'https://leads.example.com' });
    expect(checkBaseUrl('https://leads.example.com/v1/')).toEqual({ url: 'https://leads.example.com' });
    expect(checkBaseUrl('https://example.com/leadhooks')).toEqual({ url: 'https://example.com/leadhooks' });
    expect(checkBaseUrl('https://leads.example.com:8443')).toEqual({ url: 'https://leads.example.com:8443' });
  });

  it('refuses http:// (the key would travel in clear) unless the local-testing flag is set', () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    expect(checkBaseUrl('http://leads.example.com').problem).toBe(
      'The leadhooks URL must start with https://, not http://: your API key is a password and is only sent over HTTPS. Use https://leads.example.com.',
    );
    process.env.LEADHOOKS_ALLOW_HTTP = 'true';
    expect(checkBaseUrl('http://127.0.0.1:3000')).toEqual({ url: 'http://127.0.0.1:3000' });
  });

  it('says what to type for an empty value, a host without scheme, another scheme, credentials or a query', () => {
    delete process.env.LEADHOOKS_ALLOW_HTTP;
    expect(checkBaseUrl('').problem).toMatch(/^Enter the address of your leadhooks API/);
    expect(checkBaseUrl('leads.example.com').problem).toMatch(
      /is not a web address.*starting with https:\/\//,
    );
    expect(checkBaseUrl('ftp://leads.example.com').problem).toMatch(/must start with https:\/\//);
    expect(checkBaseUrl('https://me:pw@leads.example.com').problem).toMatch(
      /Remove the user name and password/,
    );
    expect(checkBaseUrl('https://leads.example.com/?x=1').problem).toMatch(/Remove "\?x=1"/);
  });
});
