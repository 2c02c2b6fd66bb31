import { HEADERS } from '@leadhooks/contracts';
import type { KafkaMessage } from 'kafkajs';
import { type DeadLetter, matchesFilter, toDeadLetter } from './dead-letter.js';

const letter = (overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  topic: 'lead.created.dlt',
  eventType: 'lead.created',
  partition: 0,
  offset: '7',
  deadLetteredAt: new Date('2026-11-30T10:00:00Z'),
  leadId: '0193a2b4-0000-7000-8000-000000000001',
  eventId: null,
  deliveryId: '0193a2b4-0000-7000-8000-0000000000d1',
  endpointId: '0193a2b4-0000-7000-8000-0000000000e1',
  siteId: '0193a2b4-0000-7000-8000-0000000000aa',
  siteHostname: 'acme.test',
  attempts: 6,
  firstFailureAt: null,
  lastError: 'HTTP 503 Service Unavailable',
  reason: 'exhausted',
  retryable: true,
  event: null,
  ...overrides,
});

describe(matchesFilter.name, () => {
  it('matches on every filter given, and on all of them at once', () => {
    const sut = letter();
    expect(matchesFilter(sut, {})).toBe(true);
    expect(matchesFilter(sut, { site: 'ACME.test' })).toBe(true);
    expect(matchesFilter(sut, { site: sut.siteId! })).toBe(true);
    expect(matchesFilter(sut, { site: 'other.test' })).toBe(false);
    expect(matchesFilter(sut, { lead: sut.leadId! })).toBe(true);
    expect(
      matchesFilter(sut, {
        since: new Date('2026-11-30T09:00:00Z'),
        until: new Date('2026-11-30T11:00:00Z'),
      }),
    ).toBe(true);
    expect(matchesFilter(sut, { since: new Date('2026-11-30T10:00:01Z') })).toBe(false);
    expect(matchesFilter(sut, { error: '503' })).toBe(true);
    expect(matchesFilter(sut, { error: 'exhausted' })).toBe(true);
    expect(matchesFilter(sut, { error: '404' })).toBe(false);
    expect(matchesFilter(sut, { site: 'acme.test', error: '404' })).toBe(false);
    expect(matchesFilter(sut, { event: 'lead.created' })).toBe(true);
    expect(matchesFilter(sut, { event: 'lead.updated' })).toBe(false);
    expect(matchesFilter(sut, { endpoint: sut.endpointId! })).toBe(true);
    expect(matchesFilter(sut, { endpoint: '0193a2b4-0000-7000-8000-0000000000e2' })).toBe(false);
  });
});

describe(toDeadLetter.name, () => {
  it('reads an unreadable event by its key, so the lead can still be listed and replayed', () => {
    const message = {
      key: Buffer.from('0193A2B4-0000-7000-8000-000000000009'),
      value: Buffer.from('{not json'),
      offset: '3',
      timestamp: '1796000000000',
      headers: {
        [HEADERS.deadLetterReason]: 'invalid-json',
        [HEADERS.lastError]: 'message value is not JSON',
      },
    } as unknown as KafkaMessage;
    expect(toDeadLetter('lead.updated.dlt', 2, message)).toMatchObject({
      topic: 'lead.updated.dlt',
      eventType: 'lead.updated',
      partition: 2,
      offset: '3',
      leadId: '0193a2b4-0000-7000-8000-000000000009',
      event: null,
      reason: 'invalid-json',
      retryable: false,
    });
  });
});
