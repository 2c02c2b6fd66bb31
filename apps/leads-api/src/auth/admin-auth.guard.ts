import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
} from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator.service.js';
import type { AuthenticatedRequest } from './principal.js';

/** Admin routes: an admin key only. A site key is known but refused (403), whatever site it belongs to. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(ApiKeyAuthenticator) private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = await this.authenticator.authenticate(
      context.switchToHttp().getRequest<AuthenticatedRequest>(),
    );
    if (principal.kind !== 'admin')
      throw new ForbiddenException('This route needs an admin API key; a site API key cannot use it');
    return true;
  }
}
