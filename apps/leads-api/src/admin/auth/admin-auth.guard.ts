import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyRepository } from '@leadhooks/db';
import { LEADS_API_CONFIG } from '../../config/config.module.js';
import type { LeadsApiConfig } from '../../config/leads-api.config.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Bearer API keys for the admin API: keys made by `npm run admin-keys` (stored hashed, revocable), plus the
 * optional ADMIN_API_KEY bootstrap key from config. Comparisons are constant-time.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly bootstrapKeyDigest: Buffer | undefined;

  constructor(
    @Inject(LEADS_API_CONFIG) config: LeadsApiConfig,
    @Inject(ApiKeyRepository) private readonly keys: ApiKeyRepository,
  ) {
    this.bootstrapKeyDigest = config.adminApiKey ? digest(config.adminApiKey) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException('Missing bearer API key (Authorization: Bearer <key>)');
    if (this.bootstrapKeyDigest && timingSafeEqual(digest(match[1]), this.bootstrapKeyDigest)) return true;
    if (await this.keys.verify(match[1])) return true;
    throw new UnauthorizedException('Invalid or revoked API key');
  }
}
