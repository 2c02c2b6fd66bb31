// @ts-check
// Jest global setup: provisions real Postgres + Kafka once per test run (see tools/infra/infra.mjs)
// and hands their addresses to the test workers through the environment.
import { ensureInfra } from '../infra/infra.mjs';

export default async function globalSetup() {
  if (process.env.LEADHOOKS_TEST_SERVER_URL && process.env.KAFKA_BROKERS) return;
  const infra = await ensureInfra({ purpose: 'test', log: (line) => process.stderr.write(`${line}\n`) });
  process.env.LEADHOOKS_TEST_SERVER_URL = infra.serverUrl;
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  // Keeps testcontainers' containers referenced for the length of the run.
  globalThis.__leadhooksInfra = infra;
}
