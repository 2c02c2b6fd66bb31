import { LEAD_CREATED_TYPE, LEAD_CREATED_VERSION, type LeadCreatedEvent } from './lead-created.event.js';
import {
  isLeadDeletedReason,
  LEAD_DELETED_REASONS,
  LEAD_DELETED_TYPE,
  LEAD_DELETED_VERSION,
  type LeadDeletedEvent,
} from './lead-deleted.event.js';
import { sealedDataProblems, type WireLeadEvent } from './lead-event-seal.js';
import { isExtraValue, isIsoDate, isRecord, isUuid, snapshotProblems } from './lead-snapshot.js';
import { LEAD_UPDATED_TYPE, LEAD_UPDATED_VERSION, type LeadUpdatedEvent } from './lead-updated.event.js';

/** The events that carry a lead's data (sealed under its key on the wire, docs/privacy.md). */
export type LeadDataEvent = LeadCreatedEvent | LeadUpdatedEvent;

/** Every event a delivery can carry: the lead's data, or (lead.deleted) the ids of an erased lead. */
export type LeadEvent = LeadDataEvent | LeadDeletedEvent;

export type EventParseResult<E extends WireLeadEvent = LeadEvent> =
  | { ok: true; event: E }
  | { ok: false; reason: string; code: 'invalid-json' | 'invalid-event' | 'unknown-version' };

const VERSIONS: Record<string, number> = {
  [LEAD_CREATED_TYPE]: LEAD_CREATED_VERSION,
  [LEAD_UPDATED_TYPE]: LEAD_UPDATED_VERSION,
  [LEAD_DELETED_TYPE]: LEAD_DELETED_VERSION,
};

/**
 * Validates an event received from Kafka (or about to be sent), of either type. Never throws: an unreadable or
 * unknown-version event is reported with a code and a reason naming the problem, to be dead-lettered.
 */
export function parseLeadEvent(raw: unknown): EventParseResult {
  return parseEvent(raw, false) as EventParseResult;
}

/**
 * An event as a topic carries it: sealed (its personal data ciphertext under the lead's key, docs/privacy.md;
 * only the readable ids are checked here, the rest once opened) or plain (an older message). Never throws.
 */
export function parseWireLeadEvent(raw: unknown): EventParseResult<WireLeadEvent> {
  return parseEvent(raw, true);
}

function parseEvent(raw: unknown, sealedAllowed: boolean): EventParseResult<WireLeadEvent> {
  let value: unknown = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      value = JSON.parse(raw.toString());
    } catch {
      return { ok: false, code: 'invalid-json', reason: 'message value is not JSON' };
    }
  }
  if (!isRecord(value)) return { ok: false, code: 'invalid-event', reason: 'event must be a JSON object' };
  const version = typeof value.type === 'string' ? VERSIONS[value.type] : undefined;
  if (version === undefined) {
    return {
      ok: false,
      code: 'invalid-event',
      reason: `type must be one of ${Object.keys(VERSIONS).join(', ')} (got ${JSON.stringify(value.type)})`,
    };
  }
  if (value.version !== version) {
    return {
      ok: false,
      code: 'unknown-version',
      reason: `unsupported ${String(value.type)} version ${JSON.stringify(value.version)} (this build understands ${version})`,
    };
  }
  const problems: string[] = [];
  if (typeof value.id !== 'string' || !value.id) problems.push('id must be a non-empty string');
  if (!isIsoDate(value.occurred_at)) problems.push('occurred_at must be an ISO date');
  if (value.type === LEAD_DELETED_TYPE) {
    problems.push(...deletedDataProblems(value.data));
    if (problems.length) return { ok: false, code: 'invalid-event', reason: problems.join('; ') };
    return { ok: true, event: value as unknown as LeadDeletedEvent };
  }
  if (sealedAllowed && isRecord(value.data) && 'sealed' in value.data) {
    problems.push(...sealedDataProblems(value.data));
    if (problems.length) return { ok: false, code: 'invalid-event', reason: problems.join('; ') };
    return { ok: true, event: value as unknown as WireLeadEvent };
  }
  problems.push(...snapshotProblems(value.data));
  if (value.type === LEAD_UPDATED_TYPE && isRecord(value.data)) {
    if (!Number.isInteger(value.data.version) || (value.data.version as number) < 1)
      problems.push('data.version must be a positive integer');
    if (!isRecord(value.data.changes)) problems.push('data.changes must be an object');
    else {
      for (const [field, change] of Object.entries(value.data.changes)) {
        if (!isRecord(change) || !isExtraValue(change.from) || !isExtraValue(change.to))
          problems.push(`data.changes.${field} must be {from, to}`);
      }
    }
  }
  if (problems.length) return { ok: false, code: 'invalid-event', reason: problems.join('; ') };
  return { ok: true, event: value as unknown as LeadEvent };
}

/** A lead.created event only (what intake produces); anything else is reported as invalid. */
export function parseLeadCreatedEvent(raw: unknown): EventParseResult<LeadCreatedEvent> {
  const parsed = parseLeadEvent(raw);
  if (parsed.ok && parsed.event.type !== LEAD_CREATED_TYPE) {
    return {
      ok: false,
      code: 'invalid-event',
      reason: `type must be '${LEAD_CREATED_TYPE}' (got '${parsed.event.type}')`,
    };
  }
  return parsed as EventParseResult<LeadCreatedEvent>;
}

/** A lead.deleted carries ids only: anything else in its data is refused (it must never carry personal data). */
function deletedDataProblems(data: unknown): string[] {
  if (!isRecord(data)) return ['data must be an object'];
  const problems: string[] = [];
  for (const field of ['lead_id', 'site_id'] as const)
    if (!isUuid(data[field])) problems.push(`data.${field} must be a uuid`);
  if (!isIsoDate(data.erased_at)) problems.push('data.erased_at must be an ISO date');
  if (!isLeadDeletedReason(data.reason))
    problems.push(`data.reason must be one of ${LEAD_DELETED_REASONS.join(', ')}`);
  const unknown = Object.keys(data).filter(
    (key) => !['lead_id', 'site_id', 'erased_at', 'reason'].includes(key),
  );
  if (unknown.length)
    problems.push(`data of a lead.deleted holds ids only (unexpected: ${unknown.join(', ')})`);
  return problems;
}
