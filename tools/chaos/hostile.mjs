// @ts-check
// `npm run chaos -- --scenario hostile --leads 10000 --rate 100`: one tenant's input never stops or slows the others
// (SPEC §1 "Isolation", §9 "a hostile tenant moves healthy tenants' p99 by < 2 s"; issue 20). Two phases on one
// stack (leads-api with its relay, a dispatcher, real Postgres + Kafka): a baseline where 5 healthy sites post
// `--leads` leads at `--rate`, then the same load while
//   - one site's receiver answers NUL and binary bodies, gzip, UTF-16 and emoji cut at the snippet limits;
//   - another site has endpoints that never answer (30 s timeout each), fed leads all along;
//   - a site key grows a lead by PATCH past the broker's limit (this run's lead.updated topic takes at most
//     UPDATED_TOPIC_MAX_BYTES; LEAD_MAX_BYTES refuses it further at the API).
// It passes when every healthy lead is SENT exactly once with end-to-end p99 (post → received) within 2 s of the
// baseline's, nothing is POSTed again after a recorded 2xx, and every hostile delivery ends SENT, FAILED + DLT, or
// SKIPPED with a reason. Prints a table; exit 1 on any failure.
import crypto from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { dropRunDatabase, startReceiver } from './chaos-processes.mjs';
import {
  ADMIN_KEY,
  createSite,
  fmt,
  percentile,
  prepareBenchEnvironment,
  printTable,
  startApp,
} from '../bench/bench-stack.mjs';

const HEALTHY_SITES = 5;
const NEVER_ENDPOINTS = 4;
/** Leads posted to the site whose endpoints never answer (one every 2 s while the hostile phase lasts). */
const NEVER_LEADS = 8;
/** This run's lead.updated topic takes at most this (max.message.bytes): a PATCHed lead passes it. */
const UPDATED_TOPIC_MAX_BYTES = 100_000;
const P99_MARGIN_MS = 2_000;
/** The hostile tenants of the second phase; `--hostile` picks some (one at a time finds which one slows the others). */
const TENANTS = /** @type {const} */ (['binary', 'never', 'grower']);

/** @param {string} list e.g. "binary,never" ("none": a control run, the second phase as the first) @returns {Set<string>} */
function parseTenants(list) {
  const picked = new Set(
    list
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name && name !== 'none'),
  );
  for (const name of picked)
    if (!(/** @type {readonly string[]} */ (TENANTS).includes(name)))
      throw new Error(`--hostile takes a comma list of ${TENANTS.join(', ')}; not '${name}'`);
  return picked;
}

/** @param {{ leads: string, rate: string, drain: string, keep: boolean, hostile?: string }} args @returns {Promise<number>} */
export async function runHostile(args) {
  const total = Number(args.leads);
  const rate = Number(args.rate);
  const drainSeconds = Number(args.drain);
  const tenants = parseTenants(args.hostile ?? TENANTS.join(','));
  const started = Date.now();
  const say = (/** @type {string} */ line) =>
    console.log(`[hostile ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  /** The machine's 1-minute load average at each phase's start and end (the machine may be shared). */
  const load = /** @type {Record<string, number[]>} */ ({ baseline: [], hostile: [] });
  const loadNow = () => Number(os.loadavg()[0].toFixed(1));

  const { env } = await prepareBenchEnvironment('leadhooks_hostile');
  const appEnv = {
    ...env,
    RETRY_DELAYS: '1s,2s,4s,8s,16s',
    RETRY_JITTER_PERCENT: '10',
    SITE_RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
  };
  await limitUpdatedTopic(env);
  const receiver = await startReceiver('hostile-receiver.mjs');
  const api = await startApp('leads-api', appEnv);
  const dispatcher = await startApp('zapier-dispatcher', appEnv);
  const admin = (/** @type {string} */ method, /** @type {string} */ url, /** @type {unknown} */ body) =>
    fetch(`${api.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const healthy = [];
  for (let i = 0; i < HEALTHY_SITES; i++) {
    const host = `healthy-${i}.test`;
    healthy.push(await createSite(api.url, host, `${receiver.url}/healthy/${host}`));
  }
  const binary = await createSite(api.url, 'binary.test', `${receiver.url}/binary/binary.test`);
  const never = await createSite(api.url, 'never.test', null);
  for (let n = 0; n < NEVER_ENDPOINTS; n++) {
    const made = await admin('POST', `/v1/admin/sites/${never.id}/endpoints`, {
      name: `never-${n}`,
      url: `${receiver.url}/never/never.test/${n}`,
      events: ['lead.created'],
      timeout_ms: 30_000,
    });
    if (made.status !== 201) throw new Error(`never endpoint: ${made.status} ${await made.text()}`);
  }
  const grower = await createSite(api.url, 'grower.test', null);
  const growerHook = await admin('POST', `/v1/admin/sites/${grower.id}/endpoints`, {
    name: 'grower-hook',
    url: `${receiver.url}/grower/grower.test`,
    events: ['lead.created', 'lead.updated'],
  });
  if (growerHook.status !== 201) throw new Error(`grower endpoint: ${growerHook.status}`);
  const siteKey = /** @type {{ key: string }} */ (
    await (await admin('POST', `/v1/admin/sites/${grower.id}/api-keys`, { name: 'hostile' })).json()
  ).key;
  say(
    `stack up: leads-api (+relay), dispatcher, receivers; ${HEALTHY_SITES} healthy sites, binary.test, ` +
      `never.test (${NEVER_ENDPOINTS} endpoints that never answer), grower.test; ${total} leads per phase at ${rate}/s`,
  );

  /** @type {Map<string, { postedAt: number, phase: string }>} */
  const healthyLeads = new Map();
  let refused = 0;
  /**
   * Posts one lead, retrying a timeout or a 5xx with the same Idempotency-Key (a retry never makes a second lead).
   * @param {string} host @param {Record<string, unknown>} body @returns {Promise<string | undefined>}
   */
  async function post(host, body) {
    const idempotencyKey = `hostile-${crypto.randomUUID()}`;
    for (let tries = 0; tries < 8; tries++) {
      try {
        const response = await fetch(`${api.url}/v1/sites/${host}/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const answer = /** @type {{ id?: string }} */ (await response.json().catch(() => ({})));
        if (response.status === 201 && answer.id) return answer.id;
        if (response.status < 500 && response.status !== 429) return undefined;
      } catch {}
      await sleep(100 * 2 ** tries);
    }
    return undefined;
  }
  /** Posts `total` healthy leads at `rate`, round robin over the healthy sites. @param {string} phase */
  async function healthyLoad(phase) {
    load[phase].push(loadNow());
    const posting = [];
    const loadStart = Date.now();
    for (let i = 0; i < total; i++) {
      const due = loadStart + (i / rate) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
      const host = healthy[i % HEALTHY_SITES].hostname;
      const postedAt = Date.now();
      posting.push(
        post(host, { email: `${phase}-${i}@example.com`, name: `Lead ${i}` }).then((id) => {
          if (id) healthyLeads.set(id, { postedAt, phase });
          else refused++;
        }),
      );
    }
    await Promise.all(posting);
    load[phase].push(loadNow());
  }

  // ---- phase 1: baseline -------------------------------------------------------------------------------------
  say('baseline: healthy sites only');
  await healthyLoad('baseline');
  await waitHealthySent('baseline');

  // ---- phase 2: the same load with the hostile tenants -------------------------------------------------------
  say(
    `hostile: ${[...tenants].join(', ') || 'none'} (binary answers, endpoints that never answer, a lead PATCHed past the broker limit)`,
  );
  let hostileRunning = true;
  const hostileLeads = { binary: 0, never: 0 };
  const patches = { accepted: 0, refused: 0, other: 0 };
  /** What the PATCHes that were neither 200 nor 400 got: status (and body start) or the fetch error, counted. */
  const otherAnswers = /** @type {Map<string, number>} */ (new Map());
  const countOther = (/** @type {string} */ answer) => {
    patches.other++;
    otherAnswers.set(answer, (otherAnswers.get(answer) ?? 0) + 1);
  };
  const hostileRate = Math.max(1, Math.round(rate / 10));
  const hostileTenants = (async () => {
    const grown = tenants.has('grower')
      ? /** @type {{ id: string }} */ (
          await (
            await fetch(`${api.url}/v1/leads`, {
              method: 'POST',
              headers: { authorization: `Bearer ${siteKey}`, 'content-type': 'application/json' },
              body: JSON.stringify({ email: 'grower@example.com' }),
            })
          ).json()
        )
      : undefined;
    const inFlight = [];
    for (let tick = 0; hostileRunning; tick++) {
      // Paced, never waiting for answers: a slow answer must not slow the hostile load down.
      if (tenants.has('binary'))
        inFlight.push(
          post('binary.test', { email: `binary-${tick}@example.com` }).then(
            (id) => void (id && hostileLeads.binary++),
          ),
        );
      // A few leads, each held 30 s per attempt by every never-answering endpoint: they keep that site's share of
      // the in-flight slots taken for the whole phase (more would only lengthen the drain).
      if (tenants.has('never') && tick % (2 * hostileRate) === 0 && tick / (2 * hostileRate) < NEVER_LEADS)
        inFlight.push(
          post('never.test', { email: `never-${tick}@example.com` }).then(
            (id) => void (id && hostileLeads.never++),
          ),
        );
      if (grown && tick % hostileRate === 0) {
        // 30 fields of 2,000 characters (60 KB, under the 64 KB body limit), three sets in turn: one or two sets make
        // a lead.updated past the topic's limit (set aside); three sets a lead past LEAD_MAX_BYTES (refused, 400).
        const set = (tick / hostileRate) % 3;
        const extra = Object.fromEntries(
          Array.from({ length: 30 }, (_, f) => [`grow${set}_${f}`, `${tick}`.padEnd(2000, 'y')]),
        );
        inFlight.push(
          fetch(`${api.url}/v1/leads/${grown.id}`, {
            method: 'PATCH',
            headers: { authorization: `Bearer ${siteKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ extra }),
          }).then(
            async (response) => {
              if (response.status === 200) patches.accepted++;
              else if (response.status === 400) patches.refused++;
              else countOther(`${response.status} ${(await response.text().catch(() => '')).slice(0, 120)}`);
            },
            (/** @type {unknown} */ error) =>
              countOther(
                `no answer: ${error instanceof Error ? (error.cause ?? error).toString() : String(error)}`,
              ),
          ),
        );
      }
      await sleep(1000 / hostileRate);
    }
    await Promise.all(inFlight);
  })();
  await healthyLoad('hostile');
  hostileRunning = false;
  await hostileTenants;
  await waitHealthySent('hostile');

  // ---- drain: every hostile delivery to its end ----------------------------------------------------------------
  const hostileSites = [binary.id, never.id, grower.id];
  const deadline = Date.now() + drainSeconds * 1000;
  for (;;) {
    const { rows } = await query(
      `SELECT count(*)::int AS n FROM delivery WHERE site_id = ANY($1::uuid[]) AND status = 'PENDING'`,
      [hostileSites],
    );
    if (rows[0].n === 0 || Date.now() > deadline) break;
    say(`${rows[0].n} hostile deliveries still in delivery`);
    await sleep(5_000);
  }

  // ---- evidence and checks -------------------------------------------------------------------------------------
  const requests =
    /** @type {Array<{ route: string, site: string, leadId: string, event: string, deliveryId: string, receivedAt: number, status: number }>} */ (
      await (await fetch(`${receiver.url}/__requests`)).json()
    );
  const ids = [...healthyLeads.keys()];
  const { rows: healthyRows } = await query(`SELECT id, zapier_status FROM lead WHERE id = ANY($1::uuid[])`, [
    ids,
  ]);
  const statusOf = new Map(healthyRows.map((row) => [row.id, row.zapier_status]));
  const healthyRequests = new Map();
  for (const request of requests.filter((r) => r.route === 'healthy'))
    healthyRequests.set(request.leadId, [...(healthyRequests.get(request.leadId) ?? []), request]);
  /** @type {Record<string, number[]>} */
  const latencies = { baseline: [], hostile: [] };
  let notSentOnce = 0;
  for (const [id, lead] of healthyLeads) {
    const received = healthyRequests.get(id) ?? [];
    if (statusOf.get(id) !== 'SENT' || received.length !== 1) notSentOnce++;
    if (received.length) latencies[lead.phase].push(received[0].receivedAt - lead.postedAt);
  }
  for (const list of Object.values(latencies)) list.sort((a, b) => a - b);
  const p99 = {
    baseline: percentile(latencies.baseline, 99),
    hostile: percentile(latencies.hostile, 99),
  };

  const { rows: deliveries } = await query(
    `SELECT d.id, d.lead_id, d.event_type, d.status, d.last_error, (extract(epoch FROM d.sent_at) * 1000)::float8 AS sent_at,
            s.hostname
       FROM delivery d JOIN site s ON s.id = d.site_id`,
  );
  const sentAt = new Map(deliveries.filter((d) => d.sent_at !== null).map((d) => [d.id, d.sent_at]));
  const afterRecorded = requests.filter(
    (r) => sentAt.has(r.deliveryId) && r.receivedAt > /** @type {number} */ (sentAt.get(r.deliveryId)) + 50,
  );
  const deadLettered = new Set([
    ...(await readDeadLetters(env, `${env.KAFKA_TOPIC_PREFIX}lead.created.dlt`)),
    ...(await readDeadLetters(env, `${env.KAFKA_TOPIC_PREFIX}lead.updated.dlt`)),
  ]);
  const hostile = deliveries.filter((d) => ['binary.test', 'never.test', 'grower.test'].includes(d.hostname));
  const unfinished = hostile.filter(
    (d) =>
      !(
        d.status === 'SENT' ||
        (d.status === 'FAILED' && deadLettered.has(d.lead_id)) ||
        (d.status === 'SKIPPED' && d.last_error)
      ),
  );
  const byOutcome = (/** @type {string} */ host) => {
    const mine = hostile.filter((d) => d.hostname === host);
    const count = (/** @type {string} */ status) => mine.filter((d) => d.status === status).length;
    return `${mine.length}: ${count('SENT')} SENT, ${count('FAILED')} FAILED, ${count('SKIPPED')} SKIPPED, ${count('PENDING')} PENDING`;
  };
  const { rows: setAside } = await query(
    `SELECT count(*)::int AS n FROM outbox WHERE set_aside_at IS NOT NULL`,
  );

  console.log(
    `\nHostile-tenant run: ${total} healthy leads per phase at ${rate}/s over ${HEALTHY_SITES} sites; ` +
      `hostile: ${hostileLeads.binary} binary.test leads, ${hostileLeads.never} never.test leads ` +
      `(× ${NEVER_ENDPOINTS} endpoints), PATCHes ${patches.accepted} accepted / ${patches.refused} refused (400) / ` +
      `${patches.other} other, ${setAside[0].n} event(s) set aside; ${requests.length} requests received\n`,
  );
  printTable(
    ['phase', 'healthy leads', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    Object.entries(latencies).map(([phase, list]) => [
      phase,
      list.length,
      fmt(percentile(list, 50), 0),
      fmt(percentile(list, 95), 0),
      fmt(percentile(list, 99), 0),
      fmt(list[list.length - 1], 0),
    ]),
  );
  console.log('');
  await printStages();
  console.log('');
  const checks = [
    {
      name: 'every healthy lead accepted (201)',
      ok: refused === 0 && healthyLeads.size === 2 * total,
      value: `${healthyLeads.size} / ${2 * total}`,
    },
    { name: 'healthy leads not SENT exactly once', ok: notSentOnce === 0, value: String(notSentOnce) },
    {
      name: `healthy p99 with hostile tenants ≤ baseline p99 + ${P99_MARGIN_MS} ms`,
      ok: p99.hostile <= p99.baseline + P99_MARGIN_MS,
      value: `${fmt(p99.hostile, 0)} ms vs ${fmt(p99.baseline, 0)} ms`,
    },
    {
      name: 'requests received after the 2xx was recorded',
      ok: afterRecorded.length === 0,
      value: String(afterRecorded.length),
    },
    { name: 'binary.test deliveries', ok: true, value: byOutcome('binary.test') },
    { name: 'never.test deliveries', ok: true, value: byOutcome('never.test') },
    { name: 'grower.test deliveries', ok: true, value: byOutcome('grower.test') },
    {
      name: 'hostile deliveries not ended SENT, FAILED + DLT or SKIPPED with a reason',
      ok: unfinished.length === 0,
      value: String(unfinished.length),
    },
    {
      name: 'the grower was refused by the API (400) once past LEAD_MAX_BYTES',
      ok: !tenants.has('grower') || (patches.refused > 0 && patches.other === 0),
      value: tenants.has('grower') ? `${patches.refused} refused` : 'not run (--hostile)',
    },
  ];
  printTable(
    ['check', 'result', 'value'],
    checks.map((check) => [check.name, check.ok ? 'pass' : 'FAIL', check.value]),
  );
  for (const [answer, count] of otherAnswers) console.log(`  PATCH answered ${count} ×: ${answer}`);
  for (const d of unfinished.slice(0, 10))
    console.log(`  unfinished: ${d.hostname} ${d.event_type} ${d.id} ${d.status} ${d.last_error ?? ''}`);
  for (const r of afterRecorded.slice(0, 10))
    console.log(`  after 2xx: ${r.route} ${r.site} delivery ${r.deliveryId}`);
  const failures = checks.filter((check) => !check.ok).length;
  console.log(`\n${checks.length - failures} passed, ${failures} failed`);

  await Promise.all([api.stop(), dispatcher.stop()]);
  receiver.stop();
  if (!args.keep) await dropRunDatabase(env);
  return failures ? 1 : 0;

  /**
   * Where each phase's healthy leads spent their time, stage by stage (p50 / p99 of each, ms): the post's answer
   * (script → intake's commit), the relay (commit → claimed for Kafka), Kafka and the consumer (claimed → fanned out
   * by the dispatcher), the dispatcher (fanned out → its POST started) and the request (started → received). Also
   * how many were not sent by their first try from the main topic (a retry tier: a slot wait, a failure).
   */
  async function printStages() {
    const { rows } = await query(
      `WITH leads AS (SELECT id, created_at FROM lead WHERE id = ANY($1::uuid[])),
            relayed AS (SELECT DISTINCT ON (aggregate_id) aggregate_id, published_at FROM outbox
                         WHERE aggregate_id = ANY($1::uuid[]) AND event_type = 'lead.created' ORDER BY aggregate_id, id),
            sent AS (SELECT DISTINCT ON (a.delivery_id) a.delivery_id, a.started_at, a.tier FROM delivery_attempt a
                      WHERE a.lead_id = ANY($1::uuid[]) AND a.http_status BETWEEN 200 AND 299
                      ORDER BY a.delivery_id, a.id)
       SELECT l.id, extract(epoch FROM l.created_at) * 1000 AS intake,
              extract(epoch FROM r.published_at) * 1000 AS relayed,
              extract(epoch FROM d.created_at) * 1000 AS fanned,
              extract(epoch FROM s.started_at) * 1000 AS posted, s.tier
         FROM leads l
         JOIN delivery d ON d.lead_id = l.id AND d.event_type = 'lead.created'
         LEFT JOIN relayed r ON r.aggregate_id = l.id
         LEFT JOIN sent s ON s.delivery_id = d.id`,
      [ids],
    );
    /** @type {Record<string, Record<string, number[]>>} */
    const stages = {};
    /** @type {Record<string, number>} */
    const notFirstTry = { baseline: 0, hostile: 0 };
    for (const row of rows) {
      const lead = healthyLeads.get(row.id);
      const received = healthyRequests.get(row.id)?.[0]?.receivedAt;
      if (!lead || row.posted === null || received === undefined) continue;
      if (row.tier !== 'main') notFirstTry[lead.phase]++;
      const phase = (stages[lead.phase] ??= { post: [], relay: [], kafka: [], dispatch: [], request: [] });
      phase.post.push(row.intake - lead.postedAt);
      phase.relay.push(row.relayed - row.intake);
      phase.kafka.push(row.fanned - row.relayed);
      phase.dispatch.push(row.posted - row.fanned);
      phase.request.push(received - row.posted);
    }
    const cell = (/** @type {number[]} */ list) => {
      list.sort((a, b) => a - b);
      return `${fmt(percentile(list, 50), 0)} / ${fmt(percentile(list, 99), 0)}`;
    };
    console.log(
      'Where the time went, p50 / p99 ms of each stage (load average: 1 min, at phase start → end):',
    );
    printTable(
      [
        'phase',
        'load',
        'post → stored',
        'stored → relayed',
        'relayed → fanned out',
        'fanned out → POST',
        'POST → received',
        'not first try',
      ],
      Object.entries(stages).map(([phase, list]) => [
        phase,
        load[phase].join(' → '),
        cell(list.post),
        cell(list.relay),
        cell(list.kafka),
        cell(list.dispatch),
        cell(list.request),
        notFirstTry[phase],
      ]),
    );
  }

  async function waitHealthySent(/** @type {string} */ phase) {
    const mine = [...healthyLeads].filter(([, lead]) => lead.phase === phase).map(([id]) => id);
    const until = Date.now() + drainSeconds * 1000;
    while (Date.now() < until) {
      const { rows } = await query(
        `SELECT count(*)::int AS n FROM lead WHERE id = ANY($1::uuid[]) AND zapier_status = 'SENT'`,
        [mine],
      );
      if (rows[0].n === mine.length) return;
      await sleep(1_000);
    }
    say(`${phase}: not every healthy lead SENT within ${drainSeconds} s`);
  }

  /** @param {string} text @param {unknown[]} [values] */
  async function query(text, values = []) {
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      return await db.query(text, values);
    } finally {
      await db.end();
    }
  }
}

/** @param {NodeJS.ProcessEnv} env */
async function limitUpdatedTopic(env) {
  const kafka = new kafkajs.Kafka({
    clientId: 'chaos-hostile',
    brokers: /** @type {string} */ (env.KAFKA_BROKERS).split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name: `${env.KAFKA_TOPIC_PREFIX}lead.updated`,
        configEntries: [{ name: 'max.message.bytes', value: String(UPDATED_TOPIC_MAX_BYTES) }],
      },
    ],
  });
  await admin.disconnect();
}

/** Lead ids (message keys) in a DLT, read from the beginning with a throwaway group. @param {NodeJS.ProcessEnv} env @param {string} topic */
async function readDeadLetters(env, topic) {
  const kafka = new kafkajs.Kafka({
    clientId: 'chaos-hostile-dlt',
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
  /** @type {Set<string>} */
  const keys = new Set();
  if (!remaining.size) return keys;
  const consumer = kafka.consumer({ groupId: `chaos-hostile-dlt-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        keys.add(String(message.key?.toString()));
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
