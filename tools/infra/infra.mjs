// @ts-check
// One entry point that yields a PostgreSQL server URL and Kafka brokers for `npm start`, the tests and CI:
//   1. DATABASE_URL / KAFKA_BROKERS when set;
//   2. else Docker (testcontainers for tests, docker compose for the stack) when an engine answers;
//   3. else local processes: Kafka 3.9.1 KRaft from Maven Central jars, and the PostgreSQL server on
//      127.0.0.1:5432 or an embedded one.
import fs from 'node:fs';
import path from 'node:path';
import { composeDown, composeUp, dockerEngineAvailable, startTestContainers } from './docker.mjs';
import { localKafkaStatus, startLocalKafka, stopLocalKafka } from './kafka-local.mjs';
import { ensureDatabase, startLocalPostgres, stopLocalPostgres, withDatabase } from './postgres-local.mjs';
import { infraDir } from './paths.mjs';
import { withLock } from './process-tools.mjs';
import { waitForKafkaReady } from './kafka-ready.mjs';

/**
 * @typedef {{ serverUrl: string, databaseUrl: string, kafkaBrokers: string, provider: string, containers?: unknown[] }} Infra
 */

/**
 * @param {{ purpose: 'stack' | 'test', database?: string, log?: (line: string) => void }} options
 * @returns {Promise<Infra>}
 */
export async function ensureInfra({ purpose, database = 'leadhooks', log = console.error }) {
  fs.mkdirSync(infraDir, { recursive: true });
  return withLock(path.join(infraDir, 'lock'), async () => {
    const fromEnv = { databaseUrl: process.env.DATABASE_URL, kafkaBrokers: process.env.KAFKA_BROKERS };
    let serverUrl = fromEnv.databaseUrl ? withDatabase(fromEnv.databaseUrl, 'postgres') : undefined;
    let kafkaBrokers = fromEnv.kafkaBrokers;
    const providers = [];
    /** @type {unknown[]} */
    let containers = [];
    if (fromEnv.databaseUrl) providers.push('postgres: DATABASE_URL');
    if (kafkaBrokers) providers.push('kafka: KAFKA_BROKERS');

    if ((!serverUrl || !kafkaBrokers) && dockerEngineAvailable()) {
      // An engine that answers may still be unable to start anything (no registry to pull from, no network, no
      // room): then the local processes below are used, as if there were no engine.
      try {
        const docker = purpose === 'test' ? await startTestContainers(log) : composeUp(log);
        if ('containers' in docker) containers = /** @type {unknown[]} */ (docker.containers);
        if (!serverUrl) ((serverUrl = docker.serverUrl), providers.push('postgres: docker'));
        if (!kafkaBrokers) ((kafkaBrokers = docker.kafkaBrokers), providers.push('kafka: docker'));
      } catch (error) {
        log(
          `[infra] a Docker engine answers but could not start Postgres and Kafka (${firstLine(error)}); using local processes`,
        );
      }
    }
    if (!kafkaBrokers) {
      kafkaBrokers = await startLocalKafka(log);
      providers.push('kafka: local 3.9.1 KRaft from Maven Central jars');
    }
    if (!serverUrl) {
      serverUrl = await startLocalPostgres(log);
      providers.push(serverUrl.includes(':5432/') ? 'postgres: local server on 5432' : 'postgres: embedded');
    }
    await waitForKafkaReady(kafkaBrokers);
    const databaseUrl = fromEnv.databaseUrl ?? withDatabase(serverUrl, database);
    if (!fromEnv.databaseUrl) await ensureDatabase(serverUrl, database);
    return { serverUrl, databaseUrl, kafkaBrokers, provider: providers.join(', '), containers };
  });
}

/** @param {unknown} error */
function firstLine(error) {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
}

export async function stopInfra(log = console.error) {
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    if (dockerEngineAvailable()) composeDown(log);
  }
  await stopLocalKafka(log);
  await stopLocalPostgres(log);
}

export async function infraStatus() {
  return { kafka: await localKafkaStatus() };
}
