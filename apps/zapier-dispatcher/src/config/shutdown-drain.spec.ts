import fs from 'node:fs';
import path from 'node:path';
import { ENDPOINT_TIMEOUT_MAX_MS } from '@leadhooks/contracts';
import { loadDispatcherConfig } from './dispatcher.config.js';

const env = (overrides: Record<string, string> = {}) => ({
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/leadhooks',
  DATA_ENCRYPTION_KEY: Buffer.from('a per-test key, 32 bytes long!!!').toString('base64'),
  KAFKA_BROKERS: '127.0.0.1:9092',
  ...overrides,
});

/** The compose file's stop grace of a service, in ms (`stop_grace_period: 45s`). */
function composeStopGraceMs(service: string): number {
  let dir = process.cwd();
  while (!fs.existsSync(path.join(dir, 'docker-compose.yml'))) dir = path.dirname(dir);
  const compose = fs.readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8');
  const block = compose.split(/\n {2}(?=[a-z-]+:\n)/).find((part) => part.startsWith(`${service}:`)) ?? '';
  const grace = /stop_grace_period: (\d+)s/.exec(block);
  if (!grace) throw new Error(`no stop_grace_period for ${service}`);
  return Number(grace[1]) * 1000;
}

describe('dispatcher shutdown drain (issue 20, item 13)', () => {
  it('drains for the longest timeout an endpoint may set plus a margin, not only WEBHOOK_TIMEOUT_MS', () => {
    const config = loadDispatcherConfig(env());
    expect(config.webhookTimeoutMs).toBeLessThan(ENDPOINT_TIMEOUT_MAX_MS);
    expect(config.shutdownDrainMs).toBeGreaterThanOrEqual(ENDPOINT_TIMEOUT_MAX_MS + 2_000);
    expect(loadDispatcherConfig(env({ WEBHOOK_TIMEOUT_MS: '60000' })).shutdownDrainMs).toBeGreaterThan(
      60_000,
    );
  });

  it("gives the dispatcher's container a stop grace longer than its drain (compose and Kubernetes)", () => {
    const drain = loadDispatcherConfig(env()).shutdownDrainMs;
    expect(composeStopGraceMs('zapier-dispatcher')).toBeGreaterThan(drain);
    let dir = process.cwd();
    while (!fs.existsSync(path.join(dir, 'deploy'))) dir = path.dirname(dir);
    const manifest = fs.readFileSync(
      path.join(dir, 'deploy', 'kubernetes', 'zapier-dispatcher', 'deployment.yaml'),
      'utf8',
    );
    const grace = /terminationGracePeriodSeconds: (\d+)/.exec(manifest);
    expect(Number(grace?.[1]) * 1000).toBeGreaterThan(drain);
  });
});
