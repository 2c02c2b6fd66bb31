import {
  DeliveryHeaders,
  eventSiteHostname,
  type EventType,
  type WireLeadEvent,
  parseWireLeadEvent,
  topicInfo,
} from '@leadhooks/contracts';
import type { KafkaMessage } from 'kafkajs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One message in a dead-letter topic (lead.created.dlt, lead.updated.dlt, lead.deleted.dlt), as ops see it. */
export interface DeadLetter {
  /** Logical DLT topic. */
  topic: string;
  /** The event family the DLT belongs to. */
  eventType: EventType;
  partition: number;
  offset: string;
  deadLetteredAt: Date;
  /** From the event, or from the message key when the event itself is unreadable. */
  leadId: string | null;
  eventId: string | null;
  /** The delivery (one event to one endpoint) that failed; null for a dead letter from before endpoints existed, or an event that could not be fanned out. */
  deliveryId: string | null;
  endpointId: string | null;
  siteId: string | null;
  siteHostname: string | null;
  attempts: number | null;
  firstFailureAt: string | null;
  lastError: string | null;
  reason: string | null;
  /** The last failure may heal by itself (5xx, 429, timeout, connection): the automatic re-drive may take it. */
  retryable: boolean;
  /** As dead-lettered: sealed under the lead's data key (docs/privacy.md), its ids readable. */
  event: WireLeadEvent | null;
}

/** `topic:partition:offset`: a dead letter's identity across both DLTs (what the replay log records). */
export function letterKey(letter: Pick<DeadLetter, 'topic' | 'partition' | 'offset'>): string {
  return `${letter.topic}:${letter.partition}:${letter.offset}`;
}

export function toDeadLetter(topic: string, partition: number, message: KafkaMessage): DeadLetter {
  const parsed = parseWireLeadEvent(message.value ?? '');
  const event = parsed.ok ? parsed.event : null;
  const info = DeliveryHeaders.readDeadLetter(message.headers);
  const state = DeliveryHeaders.read(message.headers);
  const key = message.key?.toString() ?? '';
  return {
    topic,
    eventType: topicInfo(topic)?.event ?? 'lead.created',
    partition,
    offset: message.offset,
    deadLetteredAt: new Date(Number(message.timestamp)),
    leadId: event?.data.lead_id ?? (UUID.test(key) ? key.toLowerCase() : null),
    eventId: event?.id ?? null,
    deliveryId: state.deliveryId ?? null,
    endpointId: state.endpointId ?? null,
    siteId: event?.data.site_id ?? null,
    siteHostname: event ? eventSiteHostname(event) : null,
    attempts: info.attempts,
    firstFailureAt: info.firstFailureAt,
    lastError: info.lastError,
    reason: info.reason,
    retryable: info.retryable,
    event,
  };
}

export interface DeadLetterFilter {
  /** Only this event family's DLT (both when undefined). */
  event?: EventType;
  site?: string;
  lead?: string;
  endpoint?: string;
  since?: Date;
  until?: Date;
  error?: string;
}

/** Whether a dead letter matches every given filter (site by hostname or id; time = when it was dead-lettered). */
export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.event && letter.eventType !== filter.event) return false;
  if (filter.lead && letter.leadId !== filter.lead) return false;
  if (filter.endpoint && letter.endpointId !== filter.endpoint) return false;
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

/** A dead letter with what is true of its delivery now. */
export interface ListedDeadLetter extends DeadLetter {
  /**
   * The delivery's current status (one dead-lettered, then replayed and delivered, is SENT); for a letter naming no
   * delivery, its lead's `zapier_status`; null when unknown.
   */
  status: string | null;
  replayedAt: Date | null;
}
