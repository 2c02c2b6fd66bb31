import type dns from 'node:dns';
import http from 'node:http';
import type net from 'node:net';
import { AllowedTargets } from './allowed-targets.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

/** A loopback HTTP server that counts TCP connections, so "refused without a request" is observable. */
class CountingServer {
  connections = 0;
  requests = 0;
  private readonly server: http.Server;

  constructor(handler: http.RequestListener) {
    this.server = http.createServer((request, response) => {
      this.requests++;
      handler(request, response);
    });
    this.server.on('connection', () => this.connections++);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A resolver answering fixed addresses for some names (the system resolver has no names to spare in tests). */
function fakeResolver(table: Record<string, string[]>): typeof dns.lookup {
  return ((
    hostname: string,
    _options: unknown,
    callback: (error: Error | null, addresses: dns.LookupAddress[]) => void,
  ) => {
    const addresses = table[hostname];
    if (!addresses) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      return;
    }
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof dns.lookup;
}

const base: WebhookSenderOptions = {
  allowInsecure: false,
  timeoutMs: 1000,
  maxResponseBytes: 64,
  userAgent: 'leadhooks/test',
};

describe('WebhookSender (real sockets on loopback)', () => {
  let server: CountingServer;
  let port: number;
  let reply: http.RequestListener;

  beforeEach(async () => {
    reply = (_request, response) => response.writeHead(200).end('ok');
    server = new CountingServer((request, response) => reply(request, response));
    port = await server.listen();
  });
  afterEach(() => server.close());

  it('posts when the development setting allows plain http to loopback (the control for the tests below)', async () => {
    const sender = new WebhookSender({ ...base, allowInsecure: true });
    const result = await sender.post(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(server.requests).toBe(1);
  });

  it.each([
    ['a name resolving to loopback', 'hooks.customer.example', ['127.0.0.1'], /loopback/],
    ['a name resolving to a private network', 'hooks.customer.example', ['10.1.2.3'], /private/],
    [
      'a name resolving to the cloud metadata address',
      'hooks.customer.example',
      ['169.254.169.254'],
      /link-local|metadata/,
    ],
    [
      'a name with one public and one loopback address',
      'hooks.customer.example',
      ['203.0.113.7', '127.0.0.1'],
      /loopback/,
    ],
    ['a name resolving to IPv6 loopback', 'hooks.customer.example', ['::1'], /loopback/],
    [
      'a name resolving to IPv4-mapped IPv6 loopback',
      'hooks.customer.example',
      ['::ffff:127.0.0.1'],
      /loopback/,
    ],
  ])('refuses %s after DNS, without opening a connection', async (_label, host, addresses, reason) => {
    const sender = new WebhookSender({ ...base, resolve: fakeResolver({ [host]: addresses }) });
    const result = await sender.post(`https://${host}:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, status: null, errorClass: 'forbidden-target' });
    expect(result.error).toMatch(reason);
    expect(server.connections).toBe(0);
  });

  it('masks a token-like hostname in the refused-target error (stored, read by site keys, logged)', async () => {
    const host = 'eo1a2b3c4d5e6f7g8h9.m.pipedream.net';
    const sender = new WebhookSender({ ...base, resolve: fakeResolver({ [host]: ['10.1.2.3'] }) });
    const result = await sender.post(`https://${host}:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, errorClass: 'forbidden-target' });
    expect(result.error).toBe(
      'refused: ***.m.pipedream.net resolves to 10.1.2.3 is a private, loopback, link-local or reserved address',
    );
    expect(server.connections).toBe(0);
  });

  it.each([
    ['a loopback literal', 'https://127.0.0.1:PORT/hook'],
    ['an IPv4-mapped IPv6 loopback literal', 'https://[::ffff:127.0.0.1]:PORT/hook'],
    ['the IPv6 loopback literal', 'https://[::1]:PORT/hook'],
    ['plain http', 'http://127.0.0.1:PORT/hook'],
    ['localhost by name', 'https://localhost:PORT/hook'],
    ['a URL with credentials', 'https://user:pass@127.0.0.1:PORT/hook'],
  ])('refuses %s before any DNS or connection', async (_label, url) => {
    let lookups = 0;
    const resolver = fakeResolver({ localhost: ['127.0.0.1'] });
    const resolve = ((...args: Parameters<typeof resolver>) => {
      lookups++;
      return (resolver as (...a: unknown[]) => void)(...args);
    }) as typeof dns.lookup;
    const sender = new WebhookSender({ ...base, resolve });
    const result = await sender.post(url.replace('PORT', String(port)), '{}', {});
    expect(result).toMatchObject({ ok: false, errorClass: 'forbidden-target' });
    expect(result.error).not.toContain(String(port));
    expect(lookups).toBe(0);
    expect(server.connections).toBe(0);
  });

  it('does not follow redirects: a 302 is a failed attempt and the target is never asked', async () => {
    reply = (_request, response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
    const sender = new WebhookSender({ ...base, allowInsecure: true });
    const result = await sender.post(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, status: 302, errorClass: 'http' });
    expect(server.requests).toBe(1);
  });

  it('reads at most maxResponseBytes of a large response', async () => {
    reply = (_request, response) => response.writeHead(500).end('x'.repeat(1_000_000));
    const sender = new WebhookSender({ ...base, allowInsecure: true });
    const result = await sender.post(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(result.status).toBe(500);
    expect(result.responseSnippet?.length).toBeLessThanOrEqual(64);
    expect(result.error?.length).toBeLessThan(300);
  });

  it('gives up after the timeout with a readable error', async () => {
    reply = () => undefined; // never answers
    const sender = new WebhookSender({ ...base, allowInsecure: true, timeoutMs: 300 });
    const result = await sender.post(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(result).toMatchObject({ ok: false, errorClass: 'timeout', error: 'timed out after 300 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('reports a DNS failure as such', async () => {
    const sender = new WebhookSender({ ...base, resolve: fakeResolver({}) });
    const result = await sender.post('https://nowhere.customer.example/hook', '{}', {});
    expect(result).toMatchObject({ ok: false, errorClass: 'dns' });
  });

  describe('WEBHOOK_ALLOWED_HOSTS', () => {
    it('delivers over http to an address the operator listed, without the development setting', async () => {
      const sender = new WebhookSender({ ...base, allowedTargets: AllowedTargets.parse('127.0.0.1') });
      const result = await sender.post(`http://127.0.0.1:${port}/hook`, '{}', {});
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(server.requests).toBe(1);
    });

    it('delivers to a listed host name whose address is listed too', async () => {
      const sender = new WebhookSender({
        ...base,
        allowedTargets: AllowedTargets.parse('crm.internal,127.0.0.1'),
        resolve: fakeResolver({ 'crm.internal': ['127.0.0.1'] }),
      });
      const result = await sender.post(`http://crm.internal:${port}/hook`, '{}', {});
      expect(result).toMatchObject({ ok: true, status: 200 });
    });

    it.each([
      ['loopback', ['127.0.0.1'], /loopback/],
      ['the metadata address', ['169.254.169.254'], /link-local/],
      ['a private and a loopback address', ['10.1.2.3', '127.0.0.1'], /loopback/],
    ])(
      'refuses a listed host name resolving to %s (not listed as an address), without connecting',
      async (_label, addresses, reason) => {
        const sender = new WebhookSender({
          ...base,
          allowedTargets: AllowedTargets.parse('crm.internal'),
          resolve: fakeResolver({ 'crm.internal': addresses }),
        });
        const result = await sender.post(`http://crm.internal:${port}/hook`, '{}', {});
        expect(result).toMatchObject({ ok: false, errorClass: 'forbidden-target' });
        expect(result.error).toMatch(reason);
        expect(server.connections).toBe(0);
      },
    );

    it('refuses an unlisted private target exactly as without the setting', async () => {
      const sender = new WebhookSender({
        ...base,
        allowedTargets: AllowedTargets.parse('crm.internal,10.20.0.0/16'),
        resolve: fakeResolver({ 'other.example.com': ['127.0.0.1'] }),
      });
      const result = await sender.post(`https://other.example.com:${port}/hook`, '{}', {});
      expect(result).toMatchObject({ ok: false, errorClass: 'forbidden-target' });
      expect(server.connections).toBe(0);
    });
  });
});
