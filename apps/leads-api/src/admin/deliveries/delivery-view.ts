import type { DeliveryAttemptEntity, DeliveryView } from '@leadhooks/db';
import type { DeliveryAttemptDto, DeliveryDto } from './dto/delivery.dto.js';

export function toAttemptDto(attempt: DeliveryAttemptEntity): DeliveryAttemptDto {
  return {
    attempt: attempt.attempt,
    tier: attempt.tier,
    http_status: attempt.httpStatus,
    error: attempt.error,
    error_class: attempt.errorClass,
    duration_ms: attempt.durationMs,
    started_at: attempt.startedAt.toISOString(),
  };
}

export function toDeliveryDto(delivery: DeliveryView, attempts?: DeliveryAttemptEntity[]): DeliveryDto {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    event: delivery.eventType,
    lead_id: delivery.leadId,
    site_id: delivery.siteId,
    endpoint_id: delivery.endpointId,
    endpoint_name: delivery.endpointName,
    endpoint_deleted: delivery.endpointDeleted,
    status: delivery.status,
    attempt_count: delivery.attemptCount,
    last_attempt_at: delivery.lastAttemptAt?.toISOString() ?? null,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    sent_at: delivery.sentAt?.toISOString() ?? null,
    next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
    created_at: delivery.createdAt.toISOString(),
    updated_at: delivery.updatedAt.toISOString(),
    ...(attempts ? { attempts: attempts.map(toAttemptDto) } : {}),
  };
}
