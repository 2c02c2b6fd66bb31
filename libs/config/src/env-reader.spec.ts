import { ConfigError } from './config-error.js';
import { EnvReader } from './env-reader.js';

describe(EnvReader.name, () => {
  it('reads typed values with defaults', () => {
    const sut = new EnvReader({ PORT: '8080', RETRY_DELAYS: '1s,2s', FLAG: 'true' });
    expect(sut.int('PORT', 3000, { min: 1, max: 65535 })).toBe(8080);
    expect(sut.durationList('RETRY_DELAYS', '1m')).toEqual([1000, 2000]);
    expect(sut.bool('FLAG', false)).toBe(true);
    expect(sut.durationMs('TIMEOUT', '15s')).toBe(15000);
    expect(() => sut.done()).not.toThrow();
  });

  it('names every missing or malformed variable at once', () => {
    const sut = new EnvReader({ PORT: 'eighty', RETRY_DELAYS: '1m,soon', FLAG: 'maybe' });
    sut.int('PORT', 3000);
    sut.durationList('RETRY_DELAYS', '1m');
    sut.bool('FLAG', false);
    sut.string('DATABASE_URL');
    let error: unknown;
    try {
      sut.done();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'RETRY_DELAYS', 'FLAG', 'DATABASE_URL']) expect(message).toContain(name);
  });
});
