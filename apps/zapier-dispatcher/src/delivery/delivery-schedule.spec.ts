import { HEADERS } from '@leadhooks/contracts';
import { deliveryStartTime } from './delivery-schedule.js';

const delays = [1_000, 2_000, 4_000, 8_000, 16_000];

describe(deliveryStartTime.name, () => {
  it('starts a first attempt at once', () => {
    expect(
      deliveryStartTime({ timestamp: '1000', headers: {} }, 'lead.created', delays, 0.1),
    ).toBeUndefined();
  });

  it('starts a retry at its due time when the tier can hold it that long', () => {
    const message = { timestamp: '10000', headers: { [HEADERS.dueAt]: '11050' } };
    expect(deliveryStartTime(message, 'lead.created.retry.1m', delays, 0.1)).toBe(11_050);
  });

  it('never holds a message longer than its tier (delay + jitter + 1 s): a longer wait travels in hops', () => {
    const message = { timestamp: '10000', headers: { [HEADERS.dueAt]: String(10_000 + 3_600_000) } };
    expect(deliveryStartTime(message, 'lead.created.retry.16m', delays, 0.1)).toBe(10_000 + 17_600 + 1_000);
  });
});
