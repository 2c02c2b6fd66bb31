// @ts-check
// What both benchmarks share: real infra from tools/infra, a fresh database and topic prefix per run,
// the built apps started as their own processes (as deployed), and small statistics helpers.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { ensureInfra } from '../infra/infra.mjs';
import { withDatabase } from '../infra/postgres-local.mjs';
import { repoRoot } from '../infra/paths.mjs';

export const ADMIN_KEY = `lh_admin_bench_${crypto.randomBytes(9).toString('hex')}`;

/** @param {string} label @param {string} command @param {string[]} args @param {NodeJS.ProcessEnv} env */
function run(label, command, args, env) {
  const result = spawnSync(command, args, { cwd: repoRoot, env, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${label} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Every app process started here; none outlives the script (a stray dispatcher would keep consuming). */
const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => process.exit(130));
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(address.port));
    });
    server.on('error', reject);
  });
}

/**
 * Infra, a fresh database `<name>` (dropped if a previous run left it), migrations, and topics under a
 * per-run prefix. Returns the environment both apps need.
 * @param {string} baseName
 */
export async function prepareBenchEnvironment(baseName) {
  // The Postgres server may be shared (several checkouts on one machine): a run names its database after its own
  // Kafka port too, so starting one run never drops another's database under it.
  const name = `${baseName}${process.env.LEADHOOKS_KAFKA_PORT ? `_${process.env.LEADHOOKS_KAFKA_PORT}` : ''}`;
  const infra = await ensureInfra({ purpose: 'stack', log: (line) => console.error(line) });
  const dropped = await dropStaleRunTopics(infra.kafkaBrokers);
  if (dropped) console.error(`[bench] deleted ${dropped} topics left by runs over an hour old`);
  const server = new pg.Client({ connectionString: infra.serverUrl });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.query(`CREATE DATABASE ${name}`);
  await server.end();
  const env = {
    ...process.env,
    DATABASE_URL: withDatabase(infra.serverUrl, name),
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: `bench.${Date.now()}.`,
    // A group of its own: members of one group subscribed to other topics (another run) would starve this one.
    KAFKA_GROUP_ID: `bench-${Date.now()}`,
    KAFKA_TOPIC_PARTITIONS: '12',
    KAFKA_REPLICATION_FACTOR: '1',
    KAFKA_MIN_INSYNC_REPLICAS: '1',
    DATA_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    ADMIN_API_KEY: ADMIN_KEY,
    ALLOW_INSECURE_WEBHOOK_URLS: 'true',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_IP_PER_MINUTE: '0',
    RATE_LIMIT_PER_SITE_PER_SECOND: '0',
  };
  console.error('[bench] building the apps ...');
  run(
    'build',
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'build',
      '--outputStyle=static',
      '--projects=@leadhooks/leads-api,@leadhooks/zapier-dispatcher',
    ],
    env,
  );
  run('migrate', process.execPath, ['libs/db/dist/migrate.command.js'], env);
  run('topics', process.execPath, ['libs/messaging/dist/topics.command.js'], env);
  return { infra, env };
}

/**
 * Each run provisions its topics under its own prefix (`bench.<start ms>.`, 12 partitions × 14 topics), and a
 * run that is stopped early cannot clean up after itself: a local broker used for a day of runs held 4,045
 * partition directories. Topics of runs that started over an hour ago are deleted (a run still going at the
 * same time on this broker is younger, and keeps its topics).
 * @param {string} brokers
 */
async function dropStaleRunTopics(brokers) {
  const kafka = new kafkajs.Kafka({
    clientId: 'leadhooks-bench',
    brokers: brokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cutoff = Date.now() - 60 * 60_000;
    const stale = (await admin.listTopics()).filter((topic) => {
      const started = /^bench\.(\d+)\./.exec(topic)?.[1];
      return started !== undefined && Number(started) < cutoff;
    });
    for (let i = 0; i < stale.length; i += 200)
      await admin.deleteTopics({ topics: stale.slice(i, i + 200), timeout: 60_000 });
    return stale.length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * A built app as its own process; resolves once /health/live answers (or, for a process without HTTP such as the
 * standalone relay, once it has stayed up for a moment).
 */
export async function startApp(
  /** @type {'leads-api' | 'zapier-dispatcher'} */ app,
  /** @type {NodeJS.ProcessEnv} */ env,
  /** @type {{ script?: string, port?: number, nodeArgs?: string[] }} */ options = {},
) {
  const port = options.port ?? (await freePort());
  const script = options.script ?? 'main.js';
  const output = /** @type {string[]} */ ([]);
  // BENCH_CPU_PROFILE=<dir>: write a V8 CPU profile of each app (open it in Chrome DevTools) to see where time goes.
  const profile = process.env.BENCH_CPU_PROFILE
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROFILE)}`,
        `--cpu-prof-name=${app}.cpuprofile`,
      ]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--disable-warning=TimeoutNegativeWarning',
      // As the app's image runs it: the V8 flags of its Dockerfile's CMD (heap sizes; see docs/memory.md).
      ...imageNodeFlags(app),
      ...(options.nodeArgs ?? []),
      path.join(repoRoot, 'apps', app, 'dist', script),
    ],
    {
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => output.push(String(chunk)));
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${app} exited (${child.exitCode}):\n${output.join('')}`);
    if (script !== 'main.js') {
      // No HTTP to ask: alive after a moment (it connected to Postgres and Kafka or would have exited).
      if (i >= 15) break;
    } else {
      try {
        if ((await fetch(`${url}/health/live`)).ok) break;
      } catch {}
    }
    // Two minutes: on a machine shared with other work a Nest app can take that long to boot.
    if (i > 1200) throw new Error(`${app} did not answer /health/live:\n${output.join('')}`);
    await sleep(100);
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    port,
    pid: child.pid,
    output,
    exited,
    /** The exit code (or signal) once the process is gone, else null. */
    exitCode: () => child.exitCode ?? child.signalCode,
    /** kill -9 (or another signal); resolves when the process is gone for SIGKILL. @param {NodeJS.Signals} [signal] */
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      if (signal === 'SIGKILL') await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * The Node/V8 flags an app's image starts it with (`CMD ["node", "--flag", …, "<script>"]` in its Dockerfile), so
 * benchmarks and the soak measure the memory and speed of the process as deployed.
 * @param {string} app
 */
export function imageNodeFlags(app) {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'apps', app, 'Dockerfile'), 'utf8');
  const cmd = dockerfile.split('\n').findLast((line) => line.startsWith('CMD ['));
  if (!cmd) throw new Error(`apps/${app}/Dockerfile has no CMD ["node", …]`);
  /** @type {string[]} */
  const argv = JSON.parse(cmd.slice('CMD '.length));
  return argv.slice(1).filter((arg) => arg.startsWith('--'));
}

/** @param {string} apiUrl @param {string} hostname @param {string | null} webhookUrl */
export async function createSite(apiUrl, hostname, webhookUrl) {
  const response = await fetch(`${apiUrl}/v1/admin/sites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      hostname,
      name: hostname,
      zapier: { webhook_url: webhookUrl, enabled: webhookUrl !== null },
    }),
  });
  if (response.status !== 201)
    throw new Error(`creating site ${hostname}: ${response.status} ${await response.text()}`);
  return /** @type {{ id: string, hostname: string, zapier: { secret: string } }} */ (await response.json());
}

/** Nearest-rank percentile of an ascending array. @param {number[]} sorted @param {number} p */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** @param {number} value @param {number} [digits] */
export const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** @param {string[]} header @param {Array<Array<string | number>>} rows */
export function printTable(header, rows) {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (/** @type {string[]} */ row) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
}

export function machineLine() {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}`;
}
