import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { SiteApiKeyRepository } from '@leadhooks/db';
import type { Principal } from '../auth/principal.js';
import type { MeDto } from './dto/me.dto.js';

/** "Who am I" for a site API key: what an integration shows the user it is connected to (SPEC §12). */
@Injectable()
export class MeService {
  constructor(@Inject(SiteApiKeyRepository) private readonly siteKeys: SiteApiKeyRepository) {}

  async whoAmI(principal: Principal): Promise<MeDto> {
    if (principal.kind !== 'site')
      throw new ForbiddenException(
        'This is an admin API key; /v1/me describes a site API key (lh_site_…), made for one site',
      );
    const identity = await this.siteKeys.findIdentity(principal.keyId);
    // Revoked between the guard's check and this read: answer as the next request would.
    if (!identity) throw new UnauthorizedException('Invalid or revoked API key');
    return {
      site_id: identity.siteId,
      hostname: identity.hostname,
      name: identity.siteName,
      key_id: identity.keyId,
      key_name: identity.keyName,
    };
  }
}
