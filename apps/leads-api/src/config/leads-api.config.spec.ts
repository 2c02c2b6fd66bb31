import { ConfigError } from '@leadhooks/config';
import { loadLeadsApiConfig } from './leads-api.config.js';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/leadhooks',
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadLeadsApiConfig(env);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}

describe(loadLeadsApiConfig.name, () => {
  it('starts with a valid environment', () => {
    expect(problemsOf(valid)).toBe('');
  });

  it('serves /metrics beside the API unless METRICS_PORT names a port of its own, and names a bad one', () => {
    expect(loadLeadsApiConfig(valid).metricsPort).toBeNull();
    expect(loadLeadsApiConfig({ ...valid, METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(problemsOf({ ...valid, METRICS_PORT: '0' })).toContain(
      'METRICS_PORT must be an integer between 1 and 65535',
    );
  });

  it('reads the Kafka connection (brokers, TLS, SASL) and names a half-made setting', () => {
    expect(loadLeadsApiConfig(valid).kafka).toEqual({ brokers: ['127.0.0.1:9092'], tls: null, sasl: null });
    expect(problemsOf({ ...valid, KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toContain(
      'KAFKA_SASL_USERNAME is required',
    );
  });

  it.each([
    ['the .env.example placeholder key', { DATA_ENCRYPTION_KEY: 'REPLACE_ME' }, 'DATA_ENCRYPTION_KEY'],
    [
      'the old published compose key',
      { DATA_ENCRYPTION_KEY: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=' },
      'DATA_ENCRYPTION_KEY',
    ],
    [
      'a key of the wrong size',
      { DATA_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64').repeat(2) },
      'DATA_ENCRYPTION_KEY',
    ],
    ['the old published admin key', { ADMIN_API_KEY: 'lh_admin_change_me' }, 'ADMIN_API_KEY'],
    ['a placeholder admin key', { ADMIN_API_KEY: 'REPLACE_ME' }, 'ADMIN_API_KEY'],
    ['a short admin key', { ADMIN_API_KEY: 'lh_short' }, 'ADMIN_API_KEY'],
    [
      'a previous key that is not a key',
      { DATA_ENCRYPTION_PREVIOUS_KEYS: 'nope' },
      'DATA_ENCRYPTION_PREVIOUS_KEYS',
    ],
  ])('refuses to start with %s, naming the variable', (_label, override, variable) => {
    expect(problemsOf({ ...valid, ...override })).toContain(variable);
  });
});
