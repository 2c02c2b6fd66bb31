// @ts-check
// `npm run chaos -- --leads 10000 --rate 200` (`--scenario hostile`: see hostile.mjs): the product's promise under faults at volume (SPEC §1, §9).
// Posts N leads at a steady rate to separately started processes (leads-api, a standalone outbox relay, two
// dispatchers) on real Postgres + Kafka, while the receiver answers ~20% with 500, some slowly, and everything with
// 503 during an outage longer than the first retry tiers; dispatchers are killed -9 and restarted several times,
// the relay and leads-api once, the broker is paused once and every Postgres connection of the apps is terminated
// once. Then it checks what the promise says and prints `N passed, M failed`; exit 1 on any violation.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { infraDir } from '../infra/paths.mjs';
import { dropRunDatabase, startReceiver } from './chaos-processes.mjs';
import {
  createSite,
  freePort,
  prepareBenchEnvironment,
  printTable,
  startApp,
} from '../bench/bench-stack.mjs';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '200' },
    kills: { type: 'string', default: '4' },
    sites: { type: 'string', default: '20' },
    drain: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'faults' },
    // --scenario hostile only: which hostile tenants run in its second phase (comma list; all by default).
    hostile: { type: 'string', default: 'binary,never,grower' },
  },
});
if (args.scenario === 'hostile') {
  // A different run: one tenant's input against the others' deliveries (tools/chaos/hostile.mjs).
  const { runHostile } = await import('./hostile.mjs');
  process.exit(await runHostile(args));
} else if (args.scenario !== 'faults') {
  console.error(`--scenario must be faults (the default) or hostile, not '${args.scenario}'`);
  process.exit(2);
}
const total = Number(args.leads);
const rate = Number(args.rate);
const dispatcherKills = Number(args.kills);
const siteCount = Number(args.sites);
const drainSeconds = Number(args.drain);
const loadMs = (total / rate) * 1000;
const DELAYS_MS = [1000, 2000, 4000, 8000, 16000];
const OUTAGE_MS = 20_000;

const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
const say = (/** @type {string} */ line) => console.log(`[chaos ${clock()}] ${line}`);

// ---- the stack -------------------------------------------------------------------------------------------
const { env } = await prepareBenchEnvironment('leadhooks_chaos');
const appEnv = {
  ...env,
  RETRY_DELAYS: DELAYS_MS.map((ms) => `${ms}ms`).join(','),
  RETRY_JITTER_PERCENT: '10',
  WEBHOOK_TIMEOUT_MS: '3000',
  LEAD_LEASE_MARGIN: '2s',
  KAFKA_SESSION_TIMEOUT: '10s',
  SITE_RATE_LIMIT_PER_SECOND: '0',
  SWEEP_INTERVAL: '10s',
  SWEEP_MARGIN: '2m',
  LOG_LEVEL: 'warn',
};
const receiver = await startReceiver('flaky-receiver.mjs');
/** @type {Array<{ name: string, at: number, code: unknown, tail: string }>} */
const unexpectedExits = [];

/**
 * An app process the run keeps alive: killed on purpose by a fault (then restarted by the fault), or, if it exits
 * on its own, recorded as a failure with its last output and restarted so the run can go on.
 */
class Supervised {
  /** @param {string} name @param {() => ReturnType<typeof startApp>} launch */
  constructor(name, launch) {
    this.name = name;
    this.launch = launch;
    /** @type {Awaited<ReturnType<typeof startApp>> | undefined} */
    this.current = undefined;
    this.killing = false;
  }

  async start() {
    const proc = await this.launch();
    this.current = proc;
    void proc.exited.then(async () => {
      if (this.killing || this.current !== proc || stopping) return;
      unexpectedExits.push({
        name: this.name,
        at: Date.now(),
        code: proc.exitCode(),
        tail: proc.output.join('').split('\n').slice(-30).join('\n'),
      });
      say(`${this.name} exited on its own (${String(proc.exitCode())}); restarting it`);
      await sleep(1_000);
      await this.start();
    });
    return this;
  }

  get proc() {
    return /** @type {Awaited<ReturnType<typeof startApp>>} */ (this.current);
  }

  /** kill -9, wait `downMs`, start again (on the same port for an HTTP app, so clients find it). */
  async crash(downMs) {
    this.killing = true;
    await this.proc.kill('SIGKILL');
    await sleep(downMs);
    this.killing = false;
    await this.start();
  }
}
let stopping = false;
const apiPort = await freePort();
const processes = {
  api: await new Supervised('leads-api', () =>
    startApp('leads-api', { ...appEnv, OUTBOX_RELAY_ENABLED: 'false' }, { port: apiPort }),
  ).start(),
  relay: await new Supervised('relay', () =>
    startApp('leads-api', appEnv, { script: 'relay.main.js' }),
  ).start(),
  dispatchers: [
    await new Supervised('dispatcher 1', () => startApp('zapier-dispatcher', appEnv)).start(),
    await new Supervised('dispatcher 2', () => startApp('zapier-dispatcher', appEnv)).start(),
  ],
};
/** @type {Array<{ at: number, what: string }>} */
const faults = [];
const hosts = Array.from({ length: siteCount }, (_, i) => `chaos-${i}.test`);
/** @type {Record<string, string>} */
const secrets = {};
for (const host of hosts) {
  const site = await createSite(processes.api.proc.url, host, `${receiver.url}/hooks/${host}`);
  secrets[host] = site.zapier.secret;
}
await fetch(`${receiver.url}/__secrets`, { method: 'POST', body: JSON.stringify(secrets) });
say(
  `stack up: leads-api, relay, 2 dispatchers, receiver; ${siteCount} sites; posting ${total} leads at ${rate}/s`,
);

// ---- load ------------------------------------------------------------------------------------------------
/** @type {Map<number, string>} */
const accepted = new Map();
/** @type {Map<number, string>} */
const refused = new Map();
async function post(/** @type {number} */ i) {
  const host = hosts[i % hosts.length];
  for (let tries = 0; ; tries++) {
    try {
      const response = await fetch(`${processes.api.proc.url}/v1/sites/${host}/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `chaos-${i}` },
        body: JSON.stringify({
          email: `lead${i}@example.com`,
          name: `Lead ${i}`,
          message: 'chaos',
          plan: i % 3 ? 'pro' : 'free',
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = /** @type {{ id?: string }} */ (await response.json().catch(() => ({})));
      if (response.status === 201 && body.id) return void accepted.set(i, body.id);
      if (response.status < 500 && response.status !== 429)
        return void refused.set(i, `HTTP ${response.status}`);
    } catch {
      // leads-api restarting, or a connection cut: try again with the same Idempotency-Key.
    }
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(tries, 5)));
  }
}
const posting = /** @type {Promise<void>[]} */ ([]);
const loadStart = Date.now();
const load = (async () => {
  for (let i = 0; i < total; i++) {
    const due = loadStart + (i / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    posting.push(post(i));
  }
  await Promise.all(posting);
})();

// ---- faults ----------------------------------------------------------------------------------------------
const fault = (/** @type {string} */ what) => {
  faults.push({ at: Date.now(), what });
  say(what);
};
const atFraction = (/** @type {number} */ fraction) =>
  sleep(Math.max(0, loadStart + fraction * loadMs - Date.now()));
const plan = [
  atFraction(0.15).then(async () => {
    fault(`receiver outage (503 for ${OUTAGE_MS / 1000} s)`);
    await fetch(`${receiver.url}/__outage`, { method: 'POST', body: JSON.stringify({ on: true }) });
    await sleep(OUTAGE_MS);
    await fetch(`${receiver.url}/__outage`, { method: 'POST', body: JSON.stringify({ on: false }) });
    say('receiver outage over');
  }),
  ...Array.from({ length: dispatcherKills }, (_, k) =>
    atFraction((k + 1) / (dispatcherKills + 1)).then(async () => {
      const index = k % processes.dispatchers.length;
      fault(`kill -9 dispatcher ${index + 1}`);
      await processes.dispatchers[index].crash(2_000);
      say(`dispatcher ${index + 1} restarted`);
    }),
  ),
  atFraction(0.3).then(async () => {
    fault('kill -9 the standalone relay');
    await processes.relay.crash(2_000);
    say('relay restarted');
  }),
  atFraction(0.5).then(async () => {
    fault('kill -9 leads-api');
    await processes.api.crash(1_000);
    say('leads-api restarted');
  }),
  atFraction(0.65).then(async () => {
    const broker = brokerPid();
    if (!broker)
      return say('broker pause skipped: the broker is not one this machine runs (KAFKA_BROKERS or Docker)');
    fault(`broker paused (SIGSTOP pid ${broker}) for 8 s`);
    process.kill(broker, 'SIGSTOP');
    await sleep(8_000);
    process.kill(broker, 'SIGCONT');
    say('broker resumed');
  }),
  atFraction(0.8).then(async () => {
    const terminated = await withDb((db) =>
      db.query(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND (application_name LIKE 'leads-api%' OR application_name LIKE 'zapier-dispatcher%' OR application_name LIKE 'outbox-relay%')) t`,
      ),
    );
    fault(`Postgres: terminated ${terminated.rows[0].n} app connections`);
  }),
];
await load;
say(`load done: ${accepted.size} accepted, ${refused.size} refused`);
await Promise.all(plan);

// ---- drain -----------------------------------------------------------------------------------------------
const ids = [...accepted.values()];
const drainDeadline = Date.now() + drainSeconds * 1000;
let pending = ids.length;
while (Date.now() < drainDeadline) {
  const { rows } = await withDb((db) =>
    db.query(
      `SELECT count(*)::int AS n FROM lead WHERE id = ANY($1::uuid[]) AND zapier_status IN ('SENT', 'FAILED')`,
      [ids],
    ),
  );
  pending = ids.length - rows[0].n;
  if (pending === 0) break;
  say(`${pending} lead(s) still in delivery`);
  await sleep(5_000);
}

// ---- evidence --------------------------------------------------------------------------------------------
const leads =
  /** @type {Array<{ id: string, zapier_status: string | null, sent_at: number | null, attempts: number }>} */ (
    (
      await withDb((db) =>
        db.query(
          `SELECT id, zapier_status, (extract(epoch FROM zapier_sent_at) * 1000)::float8 AS sent_at, zapier_attempt_count AS attempts
           FROM lead WHERE id = ANY($1::uuid[])`,
          [ids],
        ),
      )
    ).rows
  );
const requests =
  /** @type {Array<{ leadId: string, attempt: number, receivedAt: number, status: number, signatureOk: boolean }>} */ (
    await (await fetch(`${receiver.url}/__requests`)).json()
  );
const deadLettered = await readDeadLetters(`${env.KAFKA_TOPIC_PREFIX}lead.created.dlt`);

// ---- checks ----------------------------------------------------------------------------------------------
const byLead = new Map();
for (const request of requests) {
  if (!byLead.has(request.leadId)) byLead.set(request.leadId, []);
  byLead.get(request.leadId).push(request);
}
const stored = new Map(leads.map((lead) => [lead.id, lead]));
const sent = leads.filter((lead) => lead.zapier_status === 'SENT');
const failed = leads.filter((lead) => lead.zapier_status === 'FAILED');
const lost = ids.filter(
  (id) =>
    !stored.has(id) || !['SENT', 'FAILED'].includes(/** @type {string} */ (stored.get(id)?.zapier_status)),
);
const failedNotInDlt = failed.filter((lead) => !deadLettered.has(lead.id));
const afterRecorded = sent.flatMap((lead) =>
  (byLead.get(lead.id) ?? []).filter(
    (/** @type {{ receivedAt: number }} */ r) => lead.sent_at !== null && r.receivedAt > lead.sent_at + 50,
  ),
);
const kills = faults.filter(
  (f) => f.what.startsWith('kill') || f.what.startsWith('broker') || f.what.startsWith('Postgres'),
);
/** @type {Array<{ lead: string, cause: string | null }>} */
const duplicates = [];
for (const [leadId, list] of byLead) {
  const ok = list
    .filter((/** @type {{ status: number }} */ r) => r.status === 200)
    .sort((a, b) => a.receivedAt - b.receivedAt);
  for (const second of ok.slice(1)) {
    const cause = [...kills]
      .reverse()
      .find((k) => k.at <= second.receivedAt && k.at >= ok[0].receivedAt - 30_000);
    duplicates.push({
      lead: leadId,
      cause: cause ? `${cause.what} at ${((cause.at - started) / 1000).toFixed(1)} s` : null,
    });
  }
}
const badSignatures = requests.filter((r) => !r.signatureOk);
const early = [];
for (const list of byLead.values()) {
  const ordered = [...list].sort((a, b) => a.receivedAt - b.receivedAt);
  for (let i = 1; i < ordered.length; i++) {
    const [before, after] = [ordered[i - 1], ordered[i]];
    if (after.attempt !== before.attempt + 1 || before.status === 200) continue;
    const tierDelay = DELAYS_MS[Math.min(before.attempt, DELAYS_MS.length) - 1];
    if (after.receivedAt - before.receivedAt < tierDelay - 50)
      early.push({
        lead: after.leadId,
        attempt: after.attempt,
        gap: after.receivedAt - before.receivedAt,
        tierDelay,
      });
  }
}
const checks = [
  {
    name: 'every posted lead accepted (201, retrying through restarts)',
    ok: accepted.size === total,
    value: `${accepted.size} / ${total}`,
  },
  {
    name: 'lost (stored and not SENT or FAILED after the drain)',
    ok: lost.length === 0,
    value: String(lost.length),
  },
  { name: 'SENT', ok: true, value: String(sent.length) },
  {
    name: 'FAILED, each present in the DLT',
    ok: failedNotInDlt.length === 0,
    value: `${failed.length} (${failedNotInDlt.length} missing from the DLT)`,
  },
  {
    name: 'requests received after the 2xx was recorded',
    ok: afterRecorded.length === 0,
    value: String(afterRecorded.length),
  },
  {
    name: 'duplicate 2xx (answered, not recorded: a kill)',
    ok: duplicates.every((d) => d.cause !== null),
    value: `${duplicates.length} (${duplicates.filter((d) => d.cause === null).length} without a kill to explain them)`,
  },
  { name: 'signature failures', ok: badSignatures.length === 0, value: String(badSignatures.length) },
  { name: 'retries earlier than their tier', ok: early.length === 0, value: String(early.length) },
  {
    name: 'app processes that died on their own',
    ok: unexpectedExits.length === 0,
    value: unexpectedExits.map((e) => `${e.name} (${String(e.code)})`).join(', ') || '0',
  },
];
console.log(
  `\nChaos run: ${total} leads at ${rate}/s over ${siteCount} sites; ${requests.length} requests seen by the receiver`,
);
console.log(
  `faults: ${faults.map((f) => `${((f.at - started) / 1000).toFixed(1)} s ${f.what}`).join('; ')}\n`,
);
printTable(
  ['check', 'result', 'value'],
  checks.map((check) => [check.name, check.ok ? 'pass' : 'FAIL', check.value]),
);
for (const d of duplicates.slice(0, 20))
  console.log(`  duplicate: lead ${d.lead} (${d.cause ?? 'no kill explains it'})`);
if (lost.length) console.log(`  lost: ${lost.slice(0, 20).join(', ')}`);
if (early.length) console.log(`  early: ${JSON.stringify(early.slice(0, 10))}`);
const failures = checks.filter((check) => !check.ok).length;
if (failures) {
  for (const exit of unexpectedExits)
    console.log(
      `\n--- ${exit.name} exited on its own (${String(exit.code)}) at ${((exit.at - started) / 1000).toFixed(1)} s:\n${exit.tail}`,
    );
  // What each process last said, to start the investigation from.
  for (const supervised of [processes.api, processes.relay, ...processes.dispatchers]) {
    const lines = supervised.proc.output
      .join('')
      .split('\n')
      .filter((line) => /"level":"(error|warn)"|Error|error/.test(line));
    console.log(`\n--- ${supervised.name}, last warnings and errors:`);
    for (const line of lines.slice(-12)) console.log(line.slice(0, 400));
  }
}
console.log(`\n${checks.length - failures} passed, ${failures} failed`);

// ---- teardown --------------------------------------------------------------------------------------------
stopping = true;
await Promise.all(
  [processes.api, processes.relay, ...processes.dispatchers].map((supervised) => supervised.proc.stop()),
);
receiver.stop();
if (!args.keep) await dropRunDatabase(env);
process.exit(failures ? 1 : 0);

// ---- helpers ---------------------------------------------------------------------------------------------
/** @template T @param {(db: pg.Client) => Promise<T>} work @returns {Promise<T>} */
async function withDb(work) {
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** The local broker's pid, when this machine runs it (tools/infra), else undefined. */
function brokerPid() {
  let fromFile = 0;
  try {
    fromFile = Number(fs.readFileSync(path.join(infraDir, 'kafka', 'kafka.pid'), 'utf8').trim());
  } catch {
    // Not started by this checkout: look for it among the processes.
  }
  if (fromFile && isAlive(fromFile)) return fromFile;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('kafka.Kafka') && cmdline.includes('server.properties')) return Number(entry);
    } catch {}
  }
  return undefined;
}

function isAlive(/** @type {number} */ pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lead ids (message keys) in the DLT, read from the beginning with a throwaway group. @param {string} topic */
async function readDeadLetters(topic) {
  const kafka = new kafkajs.Kafka({
    clientId: 'chaos-dlt',
    brokers: /** @type {string} */ (env.KAFKA_BROKERS).split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1]),
  );
  const keys = new Set();
  if (!remaining.size) return keys;
  const consumer = kafka.consumer({ groupId: `chaos-dlt-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        keys.add(message.key?.toString());
        if (Number(message.offset) >= (remaining.get(partition) ?? -1)) remaining.delete(partition);
        if (!remaining.size) {
          clearTimeout(timer);
          resolve(undefined);
        }
      },
    });
  });
  await consumer.disconnect();
  return keys;
}
