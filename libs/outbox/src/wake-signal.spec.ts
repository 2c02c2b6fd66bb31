import { WakeSignal } from './wake-signal.js';

describe(WakeSignal.name, () => {
  it('ends a wait at once on a wake-up, well before its timeout', async () => {
    const sut = new WakeSignal();
    const started = Date.now();
    const waiting = sut.wait(10_000);
    sut.wake();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('remembers a wake-up that came while nobody waited (a NOTIFY between two batches is not lost)', async () => {
    const sut = new WakeSignal();
    sut.wake();
    const started = Date.now();
    await sut.wait(10_000);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('times out without a wake-up, and a consumed wake-up is not seen twice', async () => {
    const sut = new WakeSignal();
    sut.wake();
    await sut.wait(10_000);
    const started = Date.now();
    await sut.wait(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
