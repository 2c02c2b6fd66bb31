import { PartitionSchedule } from './partition-schedule.js';

const message = (offset: number, key: string, dueAt = 0) => ({
  offset: String(offset),
  key,
  dueAt,
  payload: `m${offset}`,
});
const offsets = (entries: Array<{ offset: string }>) => entries.map((entry) => Number(entry.offset));

describe(PartitionSchedule.name, () => {
  it('starts due messages of different keys together, and one key at a time in offset order', () => {
    const sut = new PartitionSchedule<string>();
    [message(0, 'a'), message(1, 'a'), message(2, 'b'), message(3, 'c')].forEach((m) => sut.add(m));
    expect(offsets(sut.take(0, 10))).toEqual([0, 2, 3]);
    expect(offsets(sut.take(0, 10))).toEqual([]);
    sut.finish('0');
    expect(offsets(sut.take(0, 10))).toEqual([1]);
  });

  it('commits only over the contiguous prefix of finished messages', () => {
    const sut = new PartitionSchedule<string>();
    [0, 1, 2, 3].forEach((o) => sut.add(message(o, `k${o}`)));
    expect(sut.committable()).toBe('0');
    sut.take(0, 10);
    sut.finish('2');
    sut.finish('3');
    expect(sut.committable()).toBe('0');
    sut.finish('0');
    expect(sut.committable()).toBe('1');
    sut.finish('1');
    expect(sut.committable()).toBe('4');
    expect(sut.size).toBe(0);
  });

  it('does not let a message that is not yet due hold back later messages of other keys', () => {
    const sut = new PartitionSchedule<string>();
    sut.add(message(0, 'slow', 5_000));
    sut.add(message(1, 'fast', 100));
    sut.add(message(2, 'slow', 0));
    expect(offsets(sut.take(100, 10))).toEqual([1]);
    expect(sut.nextDueAt()).toBe(5_000);
    expect(offsets(sut.take(5_000, 10))).toEqual([0]);
    expect(sut.committable()).toBe('0');
  });

  it('defers one message (a leased lead, a rate limit) while its neighbours go on, and keeps its key behind it', () => {
    const sut = new PartitionSchedule<string>();
    [message(0, 'a'), message(1, 'b'), message(2, 'a')].forEach((m) => sut.add(m));
    expect(offsets(sut.take(0, 10))).toEqual([0, 1]);
    sut.defer('0', 1_000);
    sut.finish('1');
    expect(offsets(sut.take(10, 10))).toEqual([]);
    expect(sut.nextDueAt()).toBe(1_000);
    expect(offsets(sut.take(1_000, 10))).toEqual([0]);
    sut.finish('0');
    expect(offsets(sut.take(1_000, 10))).toEqual([2]);
  });

  it('respects the start limit, ignores offsets it has seen, and drops unstarted work when revoked', () => {
    const sut = new PartitionSchedule<string>();
    [0, 1, 2].forEach((o) => sut.add(message(o, `k${o}`)));
    expect(sut.add(message(1, 'k1'))).toBe(false);
    expect(offsets(sut.take(0, 2))).toEqual([0, 1]);
    expect(sut.running).toBe(2);
    sut.clearWaiting();
    expect(sut.size).toBe(2);
    expect(offsets(sut.take(0, 10))).toEqual([]);
  });

  it('counts only unfinished messages towards the buffer: a stuck head with 1,000 finished messages behind it holds 1', () => {
    const sut = new PartitionSchedule<string>();
    sut.add(message(0, 'poison'));
    expect(offsets(sut.take(0, 1))).toEqual([0]);
    sut.defer('0', 60_000);
    for (let offset = 1; offset <= 1_000; offset++) {
      sut.add(message(offset, `k${offset}`));
      expect(offsets(sut.take(0, 10))).toEqual([offset]);
      sut.finish(String(offset));
    }
    expect(sut.size).toBe(1);
    expect(sut.committable()).toBe('0');
    sut.finish('0');
    expect(sut.size).toBe(0);
    expect(sut.committable()).toBe('1001');
  });

  it('never commits past a message it dropped unstarted (shutdown, revoke), even when later ones finish', () => {
    const sut = new PartitionSchedule<string>();
    [0, 1, 2, 3].forEach((o) => sut.add(message(o, `k${o}`, o === 1 ? 5_000 : 0)));
    expect(offsets(sut.take(0, 10))).toEqual([0, 2, 3]);
    sut.finish('0');
    sut.clearWaiting();
    sut.finish('2');
    sut.finish('3');
    expect(sut.size).toBe(0);
    expect(sut.committable()).toBe('1');
  });
});
