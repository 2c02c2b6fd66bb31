import { describe, expect, it } from '@jest/globals';
import { KeyedConcurrencyGate } from './keyed-concurrency-gate.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe(KeyedConcurrencyGate.name, () => {
  it('runs at most perKey tasks of a key, queues up to queuePerKey, refuses the rest, and frees other keys', async () => {
    const sut = new KeyedConcurrencyGate(1, 2);
    const gates = [deferred(), deferred(), deferred()];
    const order: number[] = [];
    const runs = gates.map((gate, index) =>
      sut.run('a', async () => {
        order.push(index);
        await gate.promise;
        return index;
      }),
    );
    expect(await sut.run('a', () => Promise.resolve('late'))).toBe('busy');
    expect(await sut.run('b', () => Promise.resolve('other key'))).toBe('other key');
    expect(sut.load('a')).toEqual({ running: 1, waiting: 2 });
    gates.forEach((gate) => gate.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(order).toEqual([0, 1, 2]);
    expect(sut.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('says a key is full exactly when its next task would be refused, and not once a slot frees', async () => {
    const sut = new KeyedConcurrencyGate(1, 1);
    const first = deferred();
    const second = deferred();
    expect(sut.full('a')).toBe(false);
    const running = sut.run('a', () => first.promise);
    expect(sut.full('a')).toBe(false);
    const waiting = sut.run('a', () => second.promise);
    expect(sut.full('a')).toBe(true);
    expect(sut.full('b')).toBe(false);
    expect(await sut.run('a', () => Promise.resolve('late'))).toBe('busy');
    first.resolve();
    await running;
    expect(sut.full('a')).toBe(false);
    second.resolve();
    await waiting;
  });

  it('frees the slot when a task fails', async () => {
    const sut = new KeyedConcurrencyGate(1, 0);
    await expect(sut.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await sut.run('a', () => Promise.resolve(1))).toBe(1);
  });
});
