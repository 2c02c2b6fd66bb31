import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyRepository, SiteApiKeyRepository, SITE_KEY_FORMAT } from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import type { AuthenticatedRequest, Principal } from './principal.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Turns `Authorization: Bearer <key>` into a principal: admin keys made by `npm run admin-keys` (hashed,
 * revocable) and the optional ADMIN_API_KEY bootstrap key act for every site; site keys (`lh_site_…`, SPEC §12)
 * for their one site. Comparisons are constant-time; a revoked key stops working on its next request.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly bootstrapKeyDigest: Buffer | undefined;

  constructor(
    @Inject(LEADS_API_CONFIG) config: LeadsApiConfig,
    @Inject(ApiKeyRepository) private readonly adminKeys: ApiKeyRepository,
    @Inject(SiteApiKeyRepository) private readonly siteKeys: SiteApiKeyRepository,
  ) {
    this.bootstrapKeyDigest = config.adminApiKey ? digest(config.adminApiKey) : undefined;
  }

  /** The request's principal (also kept on the request), or a 401 saying what is wrong. */
  async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException('Missing bearer API key (Authorization: Bearer <key>)');
    const key = match[1];
    let principal: Principal | null = null;
    if (SITE_KEY_FORMAT.test(key)) {
      const site = await this.siteKeys.verify(key);
      if (site) principal = { kind: 'site', siteId: site.siteId, keyId: site.id };
    } else if (this.bootstrapKeyDigest && timingSafeEqual(digest(key), this.bootstrapKeyDigest)) {
      principal = { kind: 'admin' };
    } else if (await this.adminKeys.verify(key)) {
      principal = { kind: 'admin' };
    }
    if (!principal) throw new UnauthorizedException('Invalid or revoked API key');
    request.principal = principal;
    return principal;
  }
}
