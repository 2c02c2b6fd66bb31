// @ts-check
// The Docker path: used only when a Docker engine answers `docker info`
// (the docker client alone, without an engine, proves nothing).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.mjs';

export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const POSTGRES_IMAGE = 'postgres:16-alpine';
const composeFile = path.join(repoRoot, 'docker-compose.yml');

export function dockerEngineAvailable() {
  if (process.env.LEADHOOKS_DOCKER === 'off') return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    stdio: 'pipe',
    timeout: 15_000,
  });
  return result.status === 0;
}

/**
 * Long-lived stack services through docker compose (the same definitions the full stack uses).
 * Host ports: Postgres 55432, Kafka 19094 (see docker-compose.yml).
 */
export function composeUp(log = console.error) {
  log('[infra] starting postgres and a 3-node kafka with docker compose ...');
  const result = spawnSync(
    'docker',
    [
      'compose',
      '-p',
      'leadhooks',
      '-f',
      composeFile,
      'up',
      '-d',
      '--wait',
      'postgres',
      'kafka-1',
      'kafka-2',
      'kafka-3',
    ],
    {
      stdio: 'inherit',
      env: composeEnv(),
    },
  );
  if (result.status !== 0) throw new Error(`docker compose up failed (exit ${result.status})`);
  return {
    serverUrl: `postgres://postgres:${encodeURIComponent(postgresPassword())}@127.0.0.1:55432/postgres`,
    kafkaBrokers: '127.0.0.1:19094,127.0.0.1:19095,127.0.0.1:19096',
  };
}

export function composeDown(log = console.error) {
  log('[infra] stopping docker compose services ...');
  spawnSync('docker', ['compose', '-p', 'leadhooks', '-f', composeFile, 'down'], {
    stdio: 'inherit',
    env: composeEnv(),
  });
}

/**
 * The compose file requires the apps' secrets (from .env); starting only Postgres and Kafka needs none, so
 * placeholders satisfy the interpolation here (the apps themselves refuse such values).
 */
function composeEnv() {
  return {
    ...process.env,
    POSTGRES_PASSWORD: postgresPassword(),
    DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY ?? 'REPLACE_ME',
    ADMIN_API_KEY: process.env.ADMIN_API_KEY ?? 'REPLACE_ME',
  };
}

/** Compose's Postgres password: POSTGRES_PASSWORD, else the one in .env (what compose itself reads), else postgres. */
function postgresPassword() {
  if (process.env.POSTGRES_PASSWORD) return process.env.POSTGRES_PASSWORD;
  const dotenv = path.join(repoRoot, '.env');
  const line = fs.existsSync(dotenv)
    ? fs
        .readFileSync(dotenv, 'utf8')
        .split('\n')
        .find((entry) => entry.startsWith('POSTGRES_PASSWORD='))
    : undefined;
  const value = line?.slice('POSTGRES_PASSWORD='.length).trim();
  return value && value !== 'REPLACE_ME' ? value : 'postgres';
}

/** Throwaway containers for a test run (removed by testcontainers' reaper when the run ends). */
export async function startTestContainers(log = console.error) {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  log('[infra] starting throwaway postgres and kafka containers (testcontainers) ...');
  const hostPort = Number(process.env.LEADHOOKS_TC_KAFKA_PORT ?? 29094);
  const [postgres, kafka] = await Promise.all([
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('postgres')
      .start(),
    new GenericContainer(KAFKA_IMAGE)
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:19094',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:9092,HOST://127.0.0.1:${hostPort}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withExposedPorts({ container: 19094, host: hostPort })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start(),
  ]);
  return {
    serverUrl: postgres.getConnectionUri(),
    kafkaBrokers: `127.0.0.1:${hostPort}`,
    containers: [postgres, kafka],
  };
}
