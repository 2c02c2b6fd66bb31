import { describe, expect, it } from '@jest/globals';
import { EndpointRates } from './endpoint-rates.js';

describe(EndpointRates.name, () => {
  const custom = {
    id: 'crm',
    rateLimitPerSecond: null,
    events: ['lead.created' as const],
    format: 'custom' as const,
  };
  const flat = {
    id: 'zap',
    rateLimitPerSecond: null,
    events: ['lead.created' as const],
    format: 'flat' as const,
  };

  it("makes a site's fan-out wait while a custom endpoint it knows there has its mapping queue full, and only then", () => {
    const sut = new EndpointRates();
    sut.learn('site-a', custom);
    sut.learn('site-a', flat);
    const full = new Set(['crm']);
    const busy = (id: string) => full.has(id);
    expect(sut.mappingBusyForSite('site-a', 'lead.created', busy)).toBe(true);
    expect(sut.mappingBusyForSite('site-a', 'lead.updated', busy)).toBe(false);
    expect(sut.mappingBusyForSite('site-b', 'lead.created', busy)).toBe(false);
    full.delete('crm');
    expect(sut.mappingBusyForSite('site-a', 'lead.created', busy)).toBe(false);
  });

  it('forgets the mapping once the endpoint is seen with another format', () => {
    const sut = new EndpointRates();
    sut.learn('site-a', custom);
    sut.learn('site-a', { ...custom, format: 'flat' });
    expect(sut.mappingBusyForSite('site-a', 'lead.created', () => true)).toBe(false);
  });
});
