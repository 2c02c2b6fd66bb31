import { TokenBucketLimiter } from './token-bucket-limiter.js';

describe(TokenBucketLimiter.name, () => {
  it('lets a burst through, then spaces requests at the configured rate, per site', () => {
    let now = 0;
    const sut = new TokenBucketLimiter(10, 2, () => now);
    expect([sut.take('a'), sut.take('a')]).toEqual([0, 0]);
    expect(sut.take('a')).toBe(100);
    expect(sut.take('b')).toBe(0);
    now = 100;
    expect(sut.take('a')).toBe(0);
  });

  it('is off when the rate is 0', () => {
    const sut = new TokenBucketLimiter(0);
    for (let i = 0; i < 100; i++) expect(sut.take('a')).toBe(0);
  });
});
