import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { LeadDataEvent, LeadEvent } from './lead-event.js';
import { isIsoDate, isRecord } from './lead-snapshot.js';

/**
 * Crypto-shredding of events (docs/privacy.md). Every copy of an event outside the lead's own row (outbox rows,
 * every Kafka topic: main, retry tiers, DLT) carries the lead's personal data only as ciphertext under that lead's
 * data key (AES-256-GCM, one random key per lead, kept in Postgres). Erasing the lead destroys the key, which makes
 * every copy unreadable at once, including the ones Kafka keeps for its retention and cannot delete one by one.
 *
 * What stays readable is what routing needs and nothing personal: ids, the site's hostname, the times.
 */
const SEALED_PREFIX = 'lk1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The readable part of a sealed event's `data`: ids for routing, the personal part in `sealed`. */
export interface SealedLeadData {
  lead_id: string;
  site_id: string;
  site_hostname: string;
  submitted_at: string;
  /** `lk1.<base64 iv|tag|ciphertext>` of the event's whole original `data` (JSON). */
  sealed: string;
}

/** An event as it travels (outbox, Kafka) once sealed. */
export interface SealedLeadEvent {
  id: string;
  type: LeadDataEvent['type'];
  version: number;
  occurred_at: string;
  data: SealedLeadData;
}

/**
 * What a topic may hold: a sealed event, or a plain one (published before sealing existed, or a tool's, or a
 * lead.deleted, which holds ids only and is never sealed).
 */
export type WireLeadEvent = LeadEvent | SealedLeadEvent;

/** A fresh data key for one lead. */
export function newLeadDataKey(): Buffer {
  return randomBytes(32);
}

export function isSealedLeadEvent(event: WireLeadEvent): event is SealedLeadEvent {
  return typeof (event.data as { sealed?: unknown }).sealed === 'string';
}

/** Binds a ciphertext to its event and lead: it cannot be moved into another envelope and still open. */
function associatedData(eventId: string, leadId: string): Buffer {
  return Buffer.from(`${eventId}/${leadId}`, 'utf8');
}

/** The event with its `data` sealed under the lead's key; ids stay readable. A sealed event is returned as is. */
export function sealLeadEvent(event: LeadDataEvent | SealedLeadEvent, key: Buffer): SealedLeadEvent {
  if (isSealedLeadEvent(event)) return event;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(event.id, event.data.lead_id));
  const body = Buffer.concat([cipher.update(JSON.stringify(event.data), 'utf8'), cipher.final()]);
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    occurred_at: event.occurred_at,
    data: {
      lead_id: event.data.lead_id,
      site_id: event.data.site_id,
      site_hostname: event.data.site_hostname,
      submitted_at: event.data.submitted_at,
      sealed: SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
    },
  };
}

export type OpenResult =
  | { ok: true; event: LeadEvent }
  /** `erased`: the lead's key is gone (the lead was erased); `unreadable`: damaged, or another key. */
  | { ok: false; code: 'erased' | 'unreadable'; reason: string };

/**
 * The event with its personal data readable, given the lead's data key (null: the key was destroyed). A plain event
 * is returned as it is. Never throws.
 */
export function openLeadEvent(event: WireLeadEvent, key: Buffer | null): OpenResult {
  if (!isSealedLeadEvent(event)) return { ok: true, event };
  if (!key)
    return { ok: false, code: 'erased', reason: `lead ${event.data.lead_id} was erased (no data key)` };
  const { sealed } = event.data;
  if (!sealed.startsWith(SEALED_PREFIX))
    return { ok: false, code: 'unreadable', reason: 'data.sealed is not a sealed lead (unknown format)' };
  try {
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(associatedData(event.id, event.data.lead_id));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
    const data: unknown = JSON.parse(plain);
    if (!isRecord(data)) return { ok: false, code: 'unreadable', reason: 'sealed data is not an object' };
    return { ok: true, event: { ...event, data } as unknown as LeadEvent };
  } catch {
    return { ok: false, code: 'unreadable', reason: 'data.sealed does not open with the lead key' };
  }
}

/** What is wrong with the readable part of a sealed event's data, or nothing. */
export function sealedDataProblems(data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of ['lead_id', 'site_id', 'site_hostname', 'sealed'] as const) {
    if (typeof data[field] !== 'string' || !data[field]) problems.push(`data.${field} must be a string`);
  }
  if (!isIsoDate(data.submitted_at)) problems.push('data.submitted_at must be an ISO date');
  return problems;
}

/** The site hostname an event names, for logs and listings; a lead.deleted names none (ids only). */
export function eventSiteHostname(event: WireLeadEvent): string | null {
  return 'site_hostname' in event.data ? event.data.site_hostname : null;
}
