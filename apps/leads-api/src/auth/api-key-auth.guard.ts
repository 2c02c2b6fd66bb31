import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator.service.js';
import type { AuthenticatedRequest } from './principal.js';

/**
 * Routes for admins and sites alike (leads, hooks): any valid key. What a site key may see is scoped by the
 * route with `siteScope` (its own site only; another site's lead is a 404, as if it did not exist).
 */
@Injectable()
export class ApiKeyAuthGuard implements CanActivate {
  constructor(@Inject(ApiKeyAuthenticator) private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authenticator.authenticate(context.switchToHttp().getRequest<AuthenticatedRequest>());
    return true;
  }
}
