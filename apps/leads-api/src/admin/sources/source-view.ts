import type { InboundRequestView, InboundSource } from '@leadhooks/db';
import type { InboundRequestDto, SourceResponseDto } from './dto/source.dto.js';

/** `/v1/inbound/<token>`, absolute when PUBLIC_BASE_URL is set. */
export function sourceUrl(publicBaseUrl: string | null, token: string): string {
  return `${publicBaseUrl ?? ''}/v1/inbound/${token}`;
}

/**
 * A source as the API shows it. The token is a credential: in full (and the URL with it) only in the answers to
 * creation and rotation, its hint elsewhere; the secret is never shown, only whether one is set.
 */
export function toSourceResponse(
  source: InboundSource,
  publicBaseUrl: string | null,
  token?: string,
): SourceResponseDto {
  return {
    id: source.id,
    site_id: source.siteId,
    name: source.name,
    preset: source.preset,
    mapping: source.mapping,
    signature: source.signature,
    has_secret: source.secret !== null || source.problem !== null,
    token_hint: source.tokenHint,
    url: sourceUrl(publicBaseUrl, token ?? source.tokenHint),
    ...(token ? { token } : {}),
    ...(source.problem ? { problem: source.problem } : {}),
    token_rotated_at: source.tokenRotatedAt.toISOString(),
    created_at: source.createdAt.toISOString(),
    updated_at: source.updatedAt.toISOString(),
  };
}

export function toInboundRequestDto(request: InboundRequestView): InboundRequestDto {
  return {
    id: request.id,
    received_at: request.receivedAt.toISOString(),
    status: request.status,
    lead_id: request.leadId,
    replayed: request.replayed,
    error: request.error,
    errors: request.errors,
    content_type: request.contentType,
    size_bytes: request.sizeBytes,
    duration_ms: request.durationMs,
    headers: request.headers,
    query: request.query,
    body: request.body,
    body_format: request.bodyFormat,
    body_truncated: request.bodyTruncated,
  };
}
