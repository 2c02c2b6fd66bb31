import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { SiteApiKeyRepository, SiteKeyIdentity } from '@leadhooks/db';
import { MeService } from './me.service.js';

function fakeKeys(identity: SiteKeyIdentity | null) {
  const asked: string[] = [];
  const keys = {
    findIdentity: (keyId: string) => {
      asked.push(keyId);
      return Promise.resolve(identity);
    },
  } as unknown as SiteApiKeyRepository;
  return { keys, asked };
}

describe(MeService.name, () => {
  const identity: SiteKeyIdentity = {
    keyId: 'key-1',
    keyName: 'Zapier',
    siteId: 'site-1',
    hostname: 'acme.test',
    siteName: 'Acme',
  };

  it("answers a site key with its site's id, hostname and name and the key's name", async () => {
    const { keys, asked } = fakeKeys(identity);
    const sut = new MeService(keys);
    await expect(sut.whoAmI({ kind: 'site', siteId: 'site-1', keyId: 'key-1' })).resolves.toEqual({
      site_id: 'site-1',
      hostname: 'acme.test',
      name: 'Acme',
      key_id: 'key-1',
      key_name: 'Zapier',
    });
    expect(asked).toEqual(['key-1']);
  });

  it('refuses an admin key with a 403 that says a site key is needed', async () => {
    const sut = new MeService(fakeKeys(identity).keys);
    const refused = sut.whoAmI({ kind: 'admin' });
    await expect(refused).rejects.toBeInstanceOf(ForbiddenException);
    await expect(refused).rejects.toThrow(/admin API key.*site API key/);
  });

  it('answers 401 for a key revoked after the guard let it in', async () => {
    const sut = new MeService(fakeKeys(null).keys);
    await expect(sut.whoAmI({ kind: 'site', siteId: 'site-1', keyId: 'key-1' })).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
  });
});
