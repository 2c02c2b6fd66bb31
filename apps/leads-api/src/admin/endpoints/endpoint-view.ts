import { DEFAULT_MAX_ATTEMPTS, DEFAULT_SIGNATURE_PREFIX } from '@leadhooks/contracts';
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
  show: { secret?: boolean; url?: boolean; stagedSecret?: boolean } = {},
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
    ...(show.secret && endpoint.secret ? { secret: endpoint.secret, secret_state: 'active' as const } : {}),
    ...(show.stagedSecret && endpoint.nextSecret
      ? { secret: endpoint.nextSecret, secret_state: 'staged' as const }
      : {}),
    previous_secret_expires_at: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    secret_staged: endpoint.nextSecret !== null,
    staged_secret_activates_at: endpoint.nextSecretActivatesAt?.toISOString() ?? null,
    description: endpoint.description,
    mapping: endpoint.mapping,
    signature_prefix: endpoint.signaturePrefix ?? DEFAULT_SIGNATURE_PREFIX,
    max_attempts: endpoint.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retry_on_4xx: endpoint.retryOn4xx,
    ...(endpoint.problem ? { problem: endpoint.problem } : {}),
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}
