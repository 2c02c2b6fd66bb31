import type { SiteRepository } from '@leadhooks/db';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { SITE_DIRECTORY_MAX_ENTRIES, SiteDirectory } from './site-directory.service.js';

function directory(known: (hostname: string) => boolean) {
  const reads: string[] = [];
  const sites = {
    findIdByHostname: (hostname: string) => {
      reads.push(hostname);
      return Promise.resolve(known(hostname) ? `id-of-${hostname}` : null);
    },
  } as unknown as SiteRepository;
  const sut = new SiteDirectory({ siteCacheTtlMs: 60_000 } as LeadsApiConfig, sites);
  return { sut, reads };
}

describe(SiteDirectory.name, () => {
  it('reads a site once per TTL, and never caches an unknown hostname', async () => {
    const { sut, reads } = directory((hostname) => hostname === 'acme.test');
    expect(await sut.findSiteId('ACME.test')).toBe('id-of-acme.test');
    expect(await sut.findSiteId('acme.test')).toBe('id-of-acme.test');
    expect(await sut.findSiteId('nope.test')).toBeNull();
    expect(await sut.findSiteId('nope.test')).toBeNull();
    expect(reads).toEqual(['acme.test', 'nope.test', 'nope.test']);
    expect(sut.size).toBe(1);
  });

  it(`holds at most ${SITE_DIRECTORY_MAX_ENTRIES} hostnames however many sites post (then starts over)`, async () => {
    const { sut } = directory(() => true);
    let largest = 0;
    for (let i = 0; i < SITE_DIRECTORY_MAX_ENTRIES * 2 + 10; i++) {
      await sut.findSiteId(`site-${i}.test`);
      largest = Math.max(largest, sut.size);
    }
    expect(await sut.findSiteId('site-7.test')).toBe('id-of-site-7.test');
    expect(largest).toBe(SITE_DIRECTORY_MAX_ENTRIES);
    // Invented hostnames (unknown sites) take no room at all.
    const unknown = directory(() => false);
    for (let i = 0; i < 1_000; i++) await unknown.sut.findSiteId(`invented-${i}.test`);
    expect(unknown.sut.size).toBe(0);
  });
});
