import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './app-process.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A single-node Kafka (KRaft) of a test's own, from the jars tools/infra fetched (.cache/kafka-3.9.1), on loopback,
 * that the test can really stop (the process killed) and start again on the same port and data.
 */
export class KafkaBroker {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(): Promise<KafkaBroker> {
    const libs = path.join(
      process.env.LEADHOOKS_CACHE_DIR ?? path.join(repoRoot, '.cache'),
      'kafka-3.9.1',
      'libs',
    );
    if (!fs.existsSync(path.join(libs, '.complete')))
      throw new Error(`No Kafka jars in ${libs}: run \`npm run infra:up\` once (needs a JDK and Maven)`);
    let port = await freePort();
    // The controller listens on port + 1: find a pair.
    while (!(await isFree(port + 1))) port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-broker-'));
    const props = path.join(dir, 'server.properties');
    fs.writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${port + 1}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        `log.dirs=${path.join(dir, 'data')}`,
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=3',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
        '',
      ].join('\n'),
    );
    const format = spawnSync(
      'java',
      [
        '-cp',
        `${libs}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        randomBytes(16).toString('base64url'),
        '-c',
        props,
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) throw new Error(`kafka-storage format failed: ${format.stderr}`);
    const broker = new KafkaBroker(port, dir);
    fs.writeFileSync(path.join(dir, 'libs'), libs);
    return broker;
  }

  /** Starts the broker process and waits until its port accepts connections. */
  async start(): Promise<void> {
    const libs = fs.readFileSync(path.join(this.dir, 'libs'), 'utf8');
    this.output = '';
    const child = spawn(
      'java',
      ['-Xms128m', '-Xmx384m', '-cp', `${libs}/*`, 'kafka.Kafka', path.join(this.dir, 'server.properties')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on(
      'data',
      (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)),
    );
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)),
    );
    this.child = child;
    const deadline = Date.now() + 180_000;
    while (!(await isOpen(this.port))) {
      if (child.exitCode !== null) throw new Error(`the test's Kafka exited:\n${this.output}`);
      if (Date.now() > deadline)
        throw new Error(`the test's Kafka did not listen within 180 s:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Kills the broker (as a crash or a lost node would) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function isOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
