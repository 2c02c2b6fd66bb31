// @ts-check
// `npm start`: the whole stack on this machine. Infra (Postgres + Kafka) comes from tools/infra (env, Docker,
// or local processes), then build, migrate, topics, both apps and a demo webhook receiver. Ctrl-C stops the
// apps; `npm run infra:down` stops the infra.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureInfra } from '../infra/infra.mjs';
import { cacheDir, repoRoot } from '../infra/paths.mjs';

const stackDir = path.join(cacheDir, 'stack');
const apiPort = Number(process.env.LEADS_API_PORT ?? 3000);
const dispatcherPort = Number(process.env.DISPATCHER_PORT ?? 3001);
const receiverPort = Number(process.env.DEMO_RECEIVER_PORT ?? 4000);
const demoHost = 'demo.localhost';
fs.mkdirSync(stackDir, { recursive: true });

/** A stable per-checkout secret, generated once, so data sealed by one run opens in the next. */
function persistent(name, make) {
  const file = path.join(stackDir, name);
  if (!fs.existsSync(file)) fs.writeFileSync(file, make(), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

function run(label, command, args, env) {
  const result = spawnSync(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[stack] ${label} failed (exit ${result.status})`);
    process.exit(1);
  }
}

const children = [];
function launch(label, script, env) {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', '--disable-warning=TimeoutNegativeWarning', ...script],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) console.log(`[${label}] ${line}`);
    });
  }
  child.on('exit', (code) => {
    console.log(`[stack] ${label} exited (${code})`);
    if (!stopping) shutdown(1);
  });
  children.push(child);
}

let stopping = false;
function shutdown(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

const infra = await ensureInfra({ purpose: 'stack' });
console.log(`[stack] infra: ${infra.provider}`);
const adminKey =
  process.env.ADMIN_API_KEY ??
  persistent('admin-api-key', () => `lh_admin_${crypto.randomBytes(18).toString('base64url')}`);
const env = {
  ...process.env,
  DATABASE_URL: infra.databaseUrl,
  KAFKA_BROKERS: infra.kafkaBrokers,
  DATA_ENCRYPTION_KEY:
    process.env.DATA_ENCRYPTION_KEY ??
    persistent('data-encryption-key', () => crypto.randomBytes(32).toString('base64')),
  ADMIN_API_KEY: adminKey,
  ALLOW_INSECURE_WEBHOOK_URLS: process.env.ALLOW_INSECURE_WEBHOOK_URLS ?? 'true',
  KAFKA_TOPIC_PARTITIONS: process.env.KAFKA_TOPIC_PARTITIONS ?? '6',
  // One local broker: production's 3 copies / 2 in sync cannot be met here.
  KAFKA_REPLICATION_FACTOR: process.env.KAFKA_REPLICATION_FACTOR ?? '1',
  KAFKA_MIN_INSYNC_REPLICAS: process.env.KAFKA_MIN_INSYNC_REPLICAS ?? '1',
};

console.log('[stack] building ...');
run(
  'build',
  'npx',
  [
    'nx',
    'run-many',
    '-t',
    'build',
    '--outputStyle=static',
    '--projects=@leadhooks/leads-api,@leadhooks/zapier-dispatcher,@leadhooks/admin-console',
  ],
  env,
);
run('migrate', process.execPath, ['libs/db/dist/migrate.command.js'], env);
run('topics', process.execPath, ['libs/messaging/dist/topics.command.js'], env);

const demoSiteFile = path.join(stackDir, 'demo-site.json');
launch('receiver', ['tools/stack/demo-receiver.mjs', demoSiteFile], {
  ...env,
  DEMO_RECEIVER_PORT: String(receiverPort),
});
launch('leads-api', ['apps/leads-api/dist/main.js'], { ...env, PORT: String(apiPort) });
launch('dispatcher', ['--max-semi-space-size=32', 'apps/zapier-dispatcher/dist/main.js'], {
  ...env,
  PORT: String(dispatcherPort),
});

const api = `http://127.0.0.1:${apiPort}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${api}/health/ready`)).ok) break;
  } catch {}
  if (i > 120) {
    console.error('[stack] leads-api did not become ready');
    shutdown(1);
  }
  await sleep(500);
}

const auth = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
const hookUrl = `http://127.0.0.1:${receiverPort}/hooks/demo`;
await ensureDemoSite();

/**
 * The demo site, whatever this database already holds: created on the first run; and when it exists but was
 * sealed by another checkout (another DATA_ENCRYPTION_KEY sharing this Postgres), or this checkout lost its
 * secret, its hook URL is set again and its secret rotated, so the demo receiver can verify signatures.
 */
async function ensureDemoSite() {
  /** @param {string} method @param {string} url @param {unknown} [body] @returns {Promise<any>} */
  const call = async (method, url, body) => {
    // A JSON content type only with a body: the API refuses an empty body that claims to be JSON.
    const response = await fetch(`${api}${url}`, {
      method,
      headers: body ? auth : { authorization: auth.authorization },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok)
      throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  const save = (id, secret) =>
    fs.writeFileSync(demoSiteFile, JSON.stringify({ id, secret }), { mode: 0o600 });
  try {
    const sites = await call('GET', '/v1/admin/sites');
    const existing = sites.find((site) => site.hostname === demoHost);
    if (!existing) {
      const created = await call('POST', '/v1/admin/sites', {
        hostname: demoHost,
        name: 'Demo',
        zapier: { webhook_url: hookUrl, enabled: true },
      });
      save(created.id, created.zapier.secret);
      return;
    }
    const cached = fs.existsSync(demoSiteFile)
      ? JSON.parse(fs.readFileSync(demoSiteFile, 'utf8'))
      : undefined;
    if (!existing.problem && cached?.id === existing.id) return;
    console.log(
      `[stack] demo site ${existing.problem ? `unreadable here (${existing.problem})` : 'secret not cached here'}; re-keying it`,
    );
    await call('PATCH', `/v1/admin/sites/${existing.id}`, {
      zapier: { webhook_url: hookUrl, enabled: true },
    });
    const rotated = await call('POST', `/v1/admin/sites/${existing.id}/zapier/rotate-secret`);
    save(existing.id, rotated.zapier.secret);
  } catch (error) {
    console.error(
      `[stack] could not prepare the demo site (the stack runs on): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

console.log(`
[stack] ready. leads-api ${api} (OpenAPI at ${api}/docs, console at ${api}/console/), dispatcher http://127.0.0.1:${dispatcherPort}/health
[stack] admin API key: ${adminKey}
[stack] post a lead (the demo receiver prints the delivery):

  curl -i -X POST ${api}/v1/sites/${demoHost}/leads -H 'content-type: application/json' \\
    -d '{"name":"Ada Lovelace","email":"ada@example.com","message":"Call me"}'
`);
