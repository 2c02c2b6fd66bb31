import { jest } from '@jest/globals';
import type { OutboxRepository } from '@leadhooks/db';
import type { OutboxRelayService } from './outbox-relay.service.js';
import { OutboxWakeup } from './outbox-wakeup.service.js';

describe(OutboxWakeup.name, () => {
  function setup({ relayRunning }: { relayRunning: boolean }) {
    const calls = { wakes: 0, notifies: 0 };
    const relay = { running: relayRunning, wake: () => void calls.wakes++ } as unknown as OutboxRelayService;
    const outbox = {
      notifyRelays: () => Promise.resolve(void calls.notifies++),
    } as unknown as OutboxRepository;
    return { sut: new OutboxWakeup(relay, outbox), calls };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('wakes the local relay on every commit, for free, and tells no other relay', () => {
    const { sut, calls } = setup({ relayRunning: true });
    for (let i = 0; i < 5; i++) sut.committed();
    expect(calls.wakes).toBe(5);
    jest.advanceTimersByTime(100);
    expect(calls.notifies).toBe(0);
  });

  it('without a local relay, sends at most one NOTIFY per window, plus a trailing one for what committed during it', () => {
    const { sut, calls } = setup({ relayRunning: false });
    for (let i = 0; i < 100; i++) sut.committed();
    expect(calls.notifies).toBe(1);
    jest.advanceTimersByTime(25);
    expect(calls.notifies).toBe(2);
    jest.advanceTimersByTime(25);
    expect(calls.notifies).toBe(2);
    sut.committed();
    expect(calls.notifies).toBe(3);
    sut.onApplicationShutdown();
  });
});
