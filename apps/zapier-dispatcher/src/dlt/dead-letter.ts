import { headerText, HEADERS, type LeadCreatedEvent, parseLeadCreatedEvent } from '@leadhooks/contracts';
import type { KafkaMessage } from 'kafkajs';

/** One message in lead.created.dlt, as ops see it. */
export interface DeadLetter {
  partition: number;
  offset: string;
  deadLetteredAt: Date;
  leadId: string | null;
  siteId: string | null;
  siteHostname: string | null;
  attempts: number | null;
  firstFailureAt: string | null;
  lastError: string | null;
  reason: string | null;
  event: LeadCreatedEvent | null;
}

export function toDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  const parsed = parseLeadCreatedEvent(message.value ?? '');
  const event = parsed.ok ? parsed.event : null;
  const nextAttempt = Number(headerText(message.headers, HEADERS.attempt));
  return {
    partition,
    offset: message.offset,
    deadLetteredAt: new Date(Number(message.timestamp)),
    leadId: event?.data.lead_id ?? message.key?.toString() ?? null,
    siteId: event?.data.site_id ?? null,
    siteHostname: event?.data.site_hostname ?? null,
    attempts: Number.isInteger(nextAttempt) && nextAttempt > 1 ? nextAttempt - 1 : null,
    firstFailureAt: headerText(message.headers, HEADERS.firstFailureAt) ?? null,
    lastError: headerText(message.headers, HEADERS.lastError) ?? null,
    reason: headerText(message.headers, HEADERS.deadLetterReason) ?? null,
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
  if (filter.site && letter.siteHostname !== filter.site.toLowerCase() && letter.siteId !== filter.site) return false;
  if (filter.since && letter.deadLetteredAt < filter.since) return false;
  if (filter.until && letter.deadLetteredAt > filter.until) return false;
  if (filter.error && !(letter.lastError ?? '').toLowerCase().includes(filter.error.toLowerCase())) return false;
  return true;
}
