// @ts-check
// Runs a real Apache Kafka 3.9.1 broker (KRaft, single node) from the jars on Maven Central,
// for machines without Docker. Idempotent: a broker we started earlier is reused.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { infraDir, kafkaLibsDir, kafkaLog4j, kafkaPom, logsDir } from './paths.mjs';
import { waitForKafkaReady } from './kafka-ready.mjs';
import { FatalWaitError, isAlive, isPortOpen, readText, stopPid, tail, waitFor } from './process-tools.mjs';

const host = '127.0.0.1';
const port = Number(process.env.LEADHOOKS_KAFKA_PORT ?? 19092);
const controllerPort = port + 1;
const dir = path.join(infraDir, 'kafka');
const pidFile = path.join(dir, 'kafka.pid');
const logFile = path.join(logsDir, 'kafka.log');

export const localKafkaBrokers = `${host}:${port}`;

function commandExists(/** @type {string} */ cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Downloads the broker jars once into .cache/ (Maven's own ~/.m2 cache makes re-runs cheap). */
export function fetchKafkaJars(log = console.error) {
  const marker = path.join(kafkaLibsDir, '.complete');
  if (fs.existsSync(marker)) return;
  for (const tool of ['java', 'mvn']) {
    if (!commandExists(tool)) {
      throw new Error(
        `Cannot start Kafka locally: '${tool}' is not installed. Install a JDK 17+ and Maven, ` +
          'or run Docker, or point KAFKA_BROKERS at a running broker.',
      );
    }
  }
  log(`[infra] fetching Apache Kafka 3.9.1 jars from Maven Central into ${kafkaLibsDir} ...`);
  fs.mkdirSync(kafkaLibsDir, { recursive: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      kafkaPom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${kafkaLibsDir}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `mvn dependency:copy-dependencies failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  fs.writeFileSync(marker, new Date().toISOString());
}

function serverProperties() {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    '',
  ].join('\n');
}

function java(
  /** @type {string[]} */ args,
  /** @type {import('node:child_process').SpawnSyncOptions} */ options = {},
) {
  return spawnSync(
    'java',
    ['-cp', `${kafkaLibsDir}/*`, `-Dlog4j.configuration=file:${kafkaLog4j}`, ...args],
    {
      encoding: 'utf8',
      ...options,
    },
  );
}

export async function startLocalKafka(log = console.error) {
  const pid = Number(readText(pidFile));
  if (pid && isAlive(pid) && (await isPortOpen(host, port))) {
    log(`[infra] Kafka already running (pid ${pid}) on ${localKafkaBrokers}`);
    return localKafkaBrokers;
  }
  if (await isPortOpen(host, port)) {
    // Another checkout of this project (or its CI clone) started a broker here: use it if it answers as Kafka.
    try {
      await waitForKafkaReady(localKafkaBrokers, 10_000);
      log(`[infra] a Kafka broker started elsewhere answers on ${localKafkaBrokers}; using it`);
      return localKafkaBrokers;
    } catch {
      throw new Error(
        `Port ${port} is taken by something that is not a Kafka broker. Set KAFKA_BROKERS to a broker, ` +
          'or LEADHOOKS_KAFKA_PORT to run ours elsewhere.',
      );
    }
  }
  fetchKafkaJars(log);
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  const propsFile = path.join(dir, 'server.properties');
  fs.writeFileSync(propsFile, serverProperties());
  const clusterIdFile = path.join(dir, 'cluster.id');
  if (!readText(clusterIdFile)) fs.writeFileSync(clusterIdFile, crypto.randomBytes(16).toString('base64url'));
  const format = java([
    'kafka.tools.StorageTool',
    'format',
    '-t',
    readText(clusterIdFile),
    '-c',
    propsFile,
    '--ignore-formatted',
  ]);
  if (format.status !== 0)
    throw new Error(`kafka-storage format failed:\n${format.stdout}\n${format.stderr}`);

  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      '-cp',
      `${kafkaLibsDir}/*`,
      `-Dlog4j.configuration=file:${kafkaLog4j}`,
      'kafka.Kafka',
      propsFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.writeFileSync(pidFile, String(child.pid));
  log(`[infra] starting Kafka 3.9.1 (KRaft) pid ${child.pid} on ${localKafkaBrokers}, log ${logFile}`);
  await waitFor(
    'the Kafka broker to listen',
    async () => {
      if (child.pid && !isAlive(child.pid)) throw new FatalWaitError('the broker process exited');
      return isPortOpen(host, port);
    },
    {
      timeoutMs: 90_000,
      onTimeout: () => tail(logFile),
    },
  );
  return localKafkaBrokers;
}

export async function stopLocalKafka(log = console.error) {
  const pid = Number(readText(pidFile));
  if (pid && isAlive(pid)) {
    log(`[infra] stopping Kafka (pid ${pid})`);
    await stopPid(pid, 30_000);
  }
  fs.rmSync(pidFile, { force: true });
}

export async function localKafkaStatus() {
  const pid = Number(readText(pidFile));
  return {
    pid: pid || null,
    alive: Boolean(pid && isAlive(pid)),
    listening: await isPortOpen(host, port),
    brokers: localKafkaBrokers,
  };
}
