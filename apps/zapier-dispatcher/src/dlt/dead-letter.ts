import { DeliveryHeaders, type LeadCreatedEvent, parseLeadCreatedEvent } from '@leadhooks/contracts';
import type { ZapierStatus } from '@leadhooks/db';
import type { KafkaMessage } from 'kafkajs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One message in lead.created.dlt, as ops see it. */
export interface DeadLetter {
  partition: number;
  offset: string;
  deadLetteredAt: Date;
  /** From the event, or from the message key when the event itself is unreadable. */
  leadId: string | null;
  siteId: string | null;
  siteHostname: string | null;
  attempts: number | null;
  firstFailureAt: string | null;
  lastError: string | null;
  reason: string | null;
  /** The last failure may heal by itself (5xx, 429, timeout, connection): the automatic re-drive may take it. */
  retryable: boolean;
  event: LeadCreatedEvent | null;
}

export function toDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  const parsed = parseLeadCreatedEvent(message.value ?? '');
  const event = parsed.ok ? parsed.event : null;
  const info = DeliveryHeaders.readDeadLetter(message.headers);
  const key = message.key?.toString() ?? '';
  return {
    partition,
    offset: message.offset,
    deadLetteredAt: new Date(Number(message.timestamp)),
    leadId: event?.data.lead_id ?? (UUID.test(key) ? key.toLowerCase() : null),
    siteId: event?.data.site_id ?? null,
    siteHostname: event?.data.site_hostname ?? null,
    attempts: info.attempts,
    firstFailureAt: info.firstFailureAt,
    lastError: info.lastError,
    reason: info.reason,
    retryable: info.retryable,
    event,
  };
}

export interface DeadLetterFilter {
  site?: string;
  lead?: string;
  since?: Date;
  until?: Date;
  error?: string;
}

/** Whether a dead letter matches every given filter (site by hostname or id; time = when it was dead-lettered). */
export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.lead && letter.leadId !== filter.lead) return false;
  if (filter.site && letter.siteHostname !== filter.site.toLowerCase() && letter.siteId !== filter.site)
    return false;
  if (filter.since && letter.deadLetteredAt < filter.since) return false;
  if (filter.until && letter.deadLetteredAt > filter.until) return false;
  if (
    filter.error &&
    !`${letter.lastError ?? ''} ${letter.reason ?? ''}`.toLowerCase().includes(filter.error.toLowerCase())
  )
    return false;
  return true;
}

/** A dead letter with what is true of its lead now. */
export interface ListedDeadLetter extends DeadLetter {
  /** The lead's current status (a lead dead-lettered, then replayed and delivered, is SENT); null when unknown. */
  status: ZapierStatus | null;
  replayedAt: Date | null;
}
