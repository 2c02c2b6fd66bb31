import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who a request acts for: an admin key (every site) or a site key (its one site). */
export type Principal = { kind: 'admin' } | { kind: 'site'; siteId: string; keyId: string };

/** The request's principal, set by ApiKeyAuthGuard or AdminAuthGuard. */
export interface AuthenticatedRequest {
  headers: Record<string, string | undefined>;
  principal?: Principal;
}

/** Injects the principal the guard authenticated (`@CurrentPrincipal() principal: Principal`). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without an API-key guard');
    return principal;
  },
);

/** The site a principal may see: its own for a site key; for an admin, the one asked for (or every site). */
export function siteScope(principal: Principal, requested?: string): string | undefined {
  return principal.kind === 'site' ? principal.siteId : requested;
}
