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

  it('reads retention: leads kept forever unless LEAD_RETENTION_DAYS says, texts and inbound lines shorter', () => {
    expect(loadLeadsApiConfig(valid).retention).toEqual({
      leadDays: 0,
      attemptTextDays: 30,
      inboundLogMs: 7 * 86_400_000,
      intervalMs: 3_600_000,
      batchSize: 200,
      maxBatches: 500,
    });
    expect(
      loadLeadsApiConfig({ ...valid, LEAD_RETENTION_DAYS: '365', INBOUND_LOG_RETENTION_DAYS: '0' }).retention,
    ).toMatchObject({ leadDays: 365, inboundLogMs: 0 });
    // The older duration name still works alone.
    expect(loadLeadsApiConfig({ ...valid, INBOUND_LOG_RETENTION: '36h' }).retention.inboundLogMs).toBe(
      36 * 3_600_000,
    );
  });

  it.each([
    ['a negative lead retention', { LEAD_RETENTION_DAYS: '-1' }, 'LEAD_RETENTION_DAYS'],
    ['a lead retention in words', { LEAD_RETENTION_DAYS: '90d' }, 'LEAD_RETENTION_DAYS'],
    [
      'an attempt-text retention of a fraction',
      { ATTEMPT_TEXT_RETENTION_DAYS: '1.5' },
      'ATTEMPT_TEXT_RETENTION_DAYS',
    ],
    [
      'both inbound log retentions',
      { INBOUND_LOG_RETENTION: '7d', INBOUND_LOG_RETENTION_DAYS: '7' },
      'INBOUND_LOG_RETENTION',
    ],
    ['the retired prune interval', { INBOUND_LOG_PRUNE_INTERVAL: '1h' }, 'RETENTION_SWEEP_INTERVAL'],
    ['a batch of 0', { RETENTION_BATCH_SIZE: '0' }, 'RETENTION_BATCH_SIZE'],
  ])('refuses retention settings with %s, naming the variable', (_label, override, variable) => {
    expect(problemsOf({ ...valid, ...override })).toContain(variable);
  });
});
