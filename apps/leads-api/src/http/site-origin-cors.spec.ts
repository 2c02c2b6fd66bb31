import type { FastifyRequest } from 'fastify';
import { siteOriginCors } from './site-origin-cors.js';

function corsFor(url: string, origin?: string) {
  let options: { origin: boolean | string } | undefined;
  siteOriginCors(
    { url, headers: origin ? { origin } : {} } as FastifyRequest,
    (_error, result) => (options = result),
  );
  return options?.origin;
}

describe(siteOriginCors.name, () => {
  it("allows the site's own origin and its subdomains on the intake route only", () => {
    expect(corsFor('/v1/sites/acme.test/leads', 'https://acme.test')).toBe('https://acme.test');
    expect(corsFor('/v1/sites/acme.test/leads?redirect=x', 'https://www.acme.test')).toBe(
      'https://www.acme.test',
    );
  });

  it.each([
    ['another site', '/v1/sites/acme.test/leads', 'https://evil.test'],
    ['a look-alike host', '/v1/sites/acme.test/leads', 'https://acme.test.evil.test'],
    ['an admin route', '/v1/admin/sites', 'https://acme.test'],
    ['a malformed origin', '/v1/sites/acme.test/leads', 'not an origin'],
  ])('refuses %s', (_label, url, origin) => {
    expect(corsFor(url, origin)).toBe(false);
  });
});
