// @ts-check
// A second, throw-away Kafka 3.9.1 broker (KRaft, single node) whose only client listener is SASL_SSL: SCRAM users
// and mutual TLS, from certificates the caller made. The managed-Kafka e2e test runs the apps against it; it uses
// the same jars as the local broker (kafka-local.mjs) and is stopped by the caller.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { kafkaLibsDir, kafkaLog4j } from './paths.mjs';
import { fetchKafkaJars } from './kafka-local.mjs';
import { waitForKafkaReady } from './kafka-ready.mjs';
import { FatalWaitError, isAlive, isPortOpen, stopPid, tail, waitFor } from './process-tools.mjs';

const host = '127.0.0.1';

/**
 * @typedef {{ name: string, password: string }} ScramUser
 * @typedef {{
 *   dir: string,
 *   port: number,
 *   controllerPort: number,
 *   caFile: string,
 *   keystoreFile: string,
 *   broker: ScramUser,
 *   users: ScramUser[],
 *   requireClientCertificate?: boolean,
 *   clientTls: import('node:tls').ConnectionOptions,
 * }} SecureKafkaOptions
 */

/** @param {ScramUser} user */
function jaas(user) {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user.name}" password="${user.password}";`;
}

/** @param {SecureKafkaOptions} options */
function serverProperties(options) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${options.controllerPort}`,
    // The controller listener is the quorum's own (never given to clients); SASL_SSL is the only client listener,
    // and the broker talks to itself through it too.
    `listeners=SASL_SSL://${host}:${options.port},CONTROLLER://${host}:${options.controllerPort}`,
    `advertised.listeners=SASL_SSL://${host}:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas(options.broker)}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas(options.broker)}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${options.keystoreFile}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${options.caFile}`,
    // Listener-prefixed: the broker-wide ssl.client.auth applies to SSL listeners only, not SASL_SSL.
    `listener.name.sasl_ssl.ssl.client.auth=${options.requireClientCertificate === false ? 'none' : 'required'}`,
    `log.dirs=${path.join(options.dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * Starts the broker and waits until a SCRAM-SHA-512 client over TLS gets metadata from it.
 * @param {SecureKafkaOptions} options
 * @returns {Promise<{ brokers: string, pid: number, logFile: string, stop: () => Promise<void> }>}
 */
export async function startSecureKafka(options, log = console.error) {
  if (await isPortOpen(host, options.port)) throw new Error(`port ${options.port} is taken`);
  fetchKafkaJars(log);
  fs.mkdirSync(options.dir, { recursive: true });
  const propsFile = path.join(options.dir, 'server.properties');
  const logFile = path.join(options.dir, 'kafka.log');
  fs.writeFileSync(propsFile, serverProperties(options));
  // SCRAM credentials go into the cluster metadata when the storage is formatted, so the broker can log in to
  // itself before any admin client could create them.
  const scram = [options.broker, ...options.users].flatMap((user) =>
    ['SCRAM-SHA-512', 'SCRAM-SHA-256'].flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${user.name},password=${user.password}]`,
    ]),
  );
  const format = spawnSync(
    'java',
    [
      '-cp',
      `${kafkaLibsDir}/*`,
      `-Dlog4j.configuration=file:${kafkaLog4j}`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      crypto.randomBytes(16).toString('base64url'),
      '-c',
      propsFile,
      ...scram,
    ],
    { encoding: 'utf8' },
  );
  if (format.status !== 0)
    throw new Error(`kafka-storage format failed:\n${format.stdout}\n${format.stderr}`);

  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      '-Xms128m',
      '-Xmx384m',
      '-XX:+UseSerialGC',
      '-Djava.awt.headless=true',
      '-cp',
      `${kafkaLibsDir}/*`,
      `-Dlog4j.configuration=file:${kafkaLog4j}`,
      'kafka.Kafka',
      propsFile,
    ],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  const pid = /** @type {number} */ (child.pid);
  const brokers = `${host}:${options.port}`;
  const stop = async () => {
    await stopPid(pid, 20_000);
  };
  log(`[infra] starting a SASL_SSL Kafka 3.9.1 broker pid ${pid} on ${brokers}, log ${logFile}`);
  try {
    await waitFor(
      'the SASL_SSL broker to listen',
      async () => {
        if (!isAlive(pid) || child.exitCode !== null) throw new FatalWaitError('the broker process exited');
        return isPortOpen(host, options.port);
      },
      { timeoutMs: 240_000, onTimeout: () => tail(logFile) },
    );
    const user = options.users[0] ?? options.broker;
    await waitForKafkaReady(brokers, 240_000, {
      ssl: options.clientTls,
      sasl: { mechanism: 'scram-sha-512', username: user.name, password: user.password },
    });
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail(logFile)}`);
  }
  return { brokers, pid, logFile, stop };
}
