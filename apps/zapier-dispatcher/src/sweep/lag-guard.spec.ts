import { LagGuard } from './lag-guard.js';

describe(LagGuard.name, () => {
  it('holds the sweep off during a backlog, but sweeps anyway once the lag has stayed high for the hold time', () => {
    const sut = new LagGuard(1_000, 600_000);
    expect(sut.allows(10, 0)).toBe(true);
    expect(sut.allows(5_000, 60_000)).toBe(false);
    expect(sut.allows(5_000, 600_000)).toBe(false);
    expect(sut.allows(5_000, 660_000)).toBe(true);
    expect(sut.allows(9_000, 720_000)).toBe(true);
  });

  it('starts counting again after the lag came down', () => {
    const sut = new LagGuard(1_000, 600_000);
    expect(sut.allows(5_000, 0)).toBe(false);
    expect(sut.allows(0, 300_000)).toBe(true);
    expect(sut.allows(5_000, 400_000)).toBe(false);
    expect(sut.allows(5_000, 900_000)).toBe(false);
    expect(sut.allows(5_000, 1_000_000)).toBe(true);
  });
});
