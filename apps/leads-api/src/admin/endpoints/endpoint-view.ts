import type { Endpoint } from '@leadhooks/db';
import { maskUrl } from '@leadhooks/webhooks';
import type { EndpointResponseDto } from './dto/endpoint.dto.js';

/** How a custom header's value is shown: never in full (it may be a credential). */
export const MASKED_HEADER_VALUE = '***';

/**
 * An endpoint as the API shows it. URLs and header values are credentials: the URL whole only in the creation
 * answer (masked elsewhere), header values always masked, the secret only on creation and rotation.
 */
export function toEndpointResponse(
  endpoint: Endpoint,
  show: { secret?: boolean; url?: boolean } = {},
): EndpointResponseDto {
  const url = endpoint.url;
  return {
    id: endpoint.id,
    site_id: endpoint.siteId,
    name: endpoint.name,
    kind: endpoint.kind,
    url: url === null ? null : show.url ? url : maskUrl(url),
    enabled: endpoint.enabled,
    events: endpoint.events,
    auth: endpoint.auth,
    format: endpoint.format,
    headers: Object.fromEntries(Object.keys(endpoint.headers).map((name) => [name, MASKED_HEADER_VALUE])),
    timeout_ms: endpoint.timeoutMs,
    rate_limit_per_second: endpoint.rateLimitPerSecond,
    ...(show.secret && endpoint.secret ? { secret: endpoint.secret } : {}),
    previous_secret_expires_at: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    ...(endpoint.problem ? { problem: endpoint.problem } : {}),
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}
