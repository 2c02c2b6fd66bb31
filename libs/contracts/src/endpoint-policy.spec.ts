import { buildLeadCreatedEvent, LEAD_CREATED_TYPE } from './lead-created.event.js';
import { leadSnapshot } from './lead-snapshot.js';
import { buildLeadUpdatedEvent } from './lead-updated.event.js';
import { outboundMappingInput } from './mapping-input.js';
import { endsOnClientError, planNextAttempt } from './retry-plan.js';

const DELAYS = [1000, 2000, 4000, 8000, 16000];
const plan = (failedCycleStep: number, extra: { maxAttempts?: number; final?: boolean } = {}) =>
  planNextAttempt({ failedCycleStep, delaysMs: DELAYS, now: 0, jitterRatio: 0, random: () => 0, ...extra })
    .kind;

describe('per-endpoint retry policy (max_attempts, retry_on_4xx)', () => {
  it('gives up after max_attempts attempts in a cycle, first try included', () => {
    expect(plan(0, { maxAttempts: 1 })).toBe('dead-letter');
    expect([0, 1].map((step) => plan(step, { maxAttempts: 3 }))).toEqual(['retry', 'retry']);
    expect(plan(2, { maxAttempts: 3 })).toBe('dead-letter');
    // 6 (the default) is the five tiers as before.
    expect([0, 1, 2, 3, 4, 5].map((step) => plan(step, { maxAttempts: 6 }))).toEqual([
      ...[0, 1, 2, 3, 4].map((step) => plan(step)),
      'dead-letter',
    ]);
  });

  it('ends at once on a final failure', () => {
    expect(plan(0, { final: true })).toBe('dead-letter');
  });

  it('ends on a 4xx only when retry_on_4xx is false, never on 408/409/425/429, 5xx or no status', () => {
    expect([400, 401, 403, 404, 410, 422].map((status) => endsOnClientError(status, false))).toEqual(
      Array(6).fill(true),
    );
    expect([408, 409, 425, 429, 500, 503, null].map((status) => endsOnClientError(status, false))).toEqual(
      Array(7).fill(false),
    );
    expect([400, 404, 422].map((status) => endsOnClientError(status, true))).toEqual([false, false, false]);
  });
});

describe(outboundMappingInput.name, () => {
  const site = { id: '0193a000-0000-7000-8000-000000000001', hostname: 'acme.test', name: 'Acme' };
  const snapshot = leadSnapshot({
    id: '0193a000-0000-7000-8000-0000000000a1',
    siteId: site.id,
    siteHostname: site.hostname,
    submittedAt: new Date('2026-12-03T10:00:00Z'),
    pageUrl: null,
    leadSource: null,
    formType: null,
    name: 'Ada',
    email: 'ada@example.com',
    phone: null,
    message: null,
    extra: { plan: 'pro' },
  });

  it('gives a lead.created the event, every lead field with extra, the site and the attempt', () => {
    const event = buildLeadCreatedEvent('e1', new Date('2026-12-03T10:00:01Z'), snapshot);
    expect(outboundMappingInput(event, site, 3)).toEqual({
      event: LEAD_CREATED_TYPE,
      event_id: 'e1',
      timestamp: '2026-12-03T10:00:01.000Z',
      attempt: 3,
      lead: snapshot,
      changes: null,
      version: null,
      site,
    });
  });

  it('gives a lead.updated its changes and version beside the lead, not inside it', () => {
    const changes = { email: { from: 'old@example.com', to: 'ada@example.com' } };
    const event = buildLeadUpdatedEvent('e2', new Date(), { ...snapshot, version: 2, changes });
    const input = outboundMappingInput(event, site, 1);
    expect(input).toMatchObject({ changes, version: 2, lead: snapshot });
    expect(input.lead).not.toHaveProperty('changes');
  });
});
