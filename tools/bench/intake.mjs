// @ts-check
// `npm run bench:intake`: sustained intake throughput and latency against the real stack (leads-api built and
// started as its own process, its outbox relay running, real Postgres + Kafka), and in the same run the
// baseline: raw Postgres transactions inserting the same two rows (lead + outbox) from Node with `pg`.
//   npm run bench:intake -- --connections 32 --duration 20 --pool 20 --write-concurrency 4
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  createSite,
  fmt,
  machineLine,
  percentile,
  prepareBenchEnvironment,
  printTable,
  startApp,
} from './bench-stack.mjs';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    pool: { type: 'string', default: '20' },
    'write-concurrency': { type: 'string', default: '4' },
    json: { type: 'string' },
  },
});
const connections = Number(args.connections);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const poolSize = Number(args.pool);

const lead = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0018',
  message: 'Please call me back about the analytical engine.',
  page_url: 'https://bench.example/contact',
  lead_source: 'google',
  form_type: 'contact',
  utm_campaign: 'winter',
};

/** @param {string} url @param {number} seconds */
function load(url, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(lead),
      },
      (/** @type {Error | null} */ error, /** @type {any} */ result) =>
        error ? reject(error) : resolve(result),
    );
  });
}

const LEAD_COLUMNS = `id, site_id, submitted_at, page_url, lead_source, form_type, name, email, phone, message,
  extra, client_ip, user_agent, idempotency_key, event_id, zapier_status`;
const LEAD_VALUES = `$1, $2, now(), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, 'PENDING'`;

/**
 * Raw `pg` baselines from `connections` concurrent loops over a pool of the API's size, storing the same two
 * rows per lead as intake: 'transaction' = BEGIN; INSERT lead; INSERT outbox; COMMIT (4 round trips);
 * 'statement' = one INSERT … INSERT statement per lead (1 round trip, what intake does for a lone lead).
 * @param {string} databaseUrl @param {string} siteId @param {number} seconds @param {'transaction' | 'statement'} mode
 */
async function rawInsertBaseline(databaseUrl, siteId, seconds, mode) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const latencies = /** @type {number[]} */ ([]);
  const deadline = performance.now() + seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      const started = performance.now();
      const id = crypto.randomUUID();
      const leadParams = [
        id,
        siteId,
        lead.page_url,
        lead.lead_source,
        lead.form_type,
        lead.name,
        lead.email,
        lead.phone,
        lead.message,
        JSON.stringify({ utm_campaign: 'winter' }),
        '127.0.0.1',
        'bench',
        crypto.randomUUID(),
      ];
      const event = JSON.stringify({
        id,
        type: 'lead.created',
        version: 1,
        data: { ...lead, lead_id: id, extra: { utm_campaign: 'winter' } },
      });
      if (mode === 'statement') {
        await pool.query(
          `WITH stored AS (INSERT INTO lead (${LEAD_COLUMNS}) VALUES (${LEAD_VALUES}) RETURNING id)
           INSERT INTO outbox (aggregate_id, event_type, payload, headers) SELECT id, 'lead.created', $14, $15 FROM stored`,
          [...leadParams, event, JSON.stringify({ 'lh-attempt': '1' })],
        );
      } else {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(`INSERT INTO lead (${LEAD_COLUMNS}) VALUES (${LEAD_VALUES})`, leadParams);
          await client.query(
            `INSERT INTO outbox (aggregate_id, event_type, payload, headers) VALUES ($1, 'lead.created', $2, $3)`,
            [id, event, JSON.stringify({ 'lh-attempt': '1' })],
          );
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }
      latencies.push(performance.now() - started);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  await pool.end();
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / elapsedS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    total: latencies.length,
  };
}

const { env } = await prepareBenchEnvironment('leadhooks_bench_intake');
const api = await startApp('leads-api', {
  ...env,
  DB_POOL_SIZE: String(poolSize),
  INTAKE_WRITE_CONCURRENCY: String(args['write-concurrency']),
});
try {
  // A site with a hook, so intake does the full work (status PENDING, event for the dispatcher), and a
  // dispatcher-less run: nothing consumes; the relay still publishes every row to Kafka.
  const site = await createSite(api.url, 'bench.example', 'http://127.0.0.1:9/hook');
  const url = `${api.url}/v1/sites/bench.example/leads`;
  console.error(
    `[bench] warm-up ${warmupS}s, then ${durationS}s at ${connections} connections (DB pool ${poolSize}) ...`,
  );
  await load(url, warmupS);
  const result = /** @type {any} */ (await load(url, durationS));
  const non2xx = result.non2xx + result.errors + result.timeouts;

  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  // Let the relay drain what the load left, and time how long that takes.
  const drainStarted = performance.now();
  let backlog = Infinity;
  while (backlog > 0 && performance.now() - drainStarted < 60_000) {
    backlog = Number(
      (await db.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n,
    );
    if (backlog > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const drainMs = performance.now() - drainStarted;
  const stored = Number((await db.query('SELECT count(*) AS n FROM lead')).rows[0].n);
  await db.end();

  await api.stop();
  console.error(
    `[bench] raw Postgres baselines, ${durationS}s each at ${connections} concurrent loops (pool ${poolSize}) ...`,
  );
  const raw = await rawInsertBaseline(
    /** @type {string} */ (env.DATABASE_URL),
    site.id,
    durationS,
    'transaction',
  );
  const rawStatement = await rawInsertBaseline(
    /** @type {string} */ (env.DATABASE_URL),
    site.id,
    durationS,
    'statement',
  );

  if (args.json) {
    fs.writeFileSync(
      args.json,
      JSON.stringify({
        intake: {
          perSecond: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: non2xx,
        },
        rawTransaction: { perSecond: raw.perSecond, p50: raw.p50, p99: raw.p99 },
        rawStatement: { perSecond: rawStatement.perSecond, p50: rawStatement.p50, p99: rawStatement.p99 },
      }),
    );
  }
  console.log(
    `\nIntake benchmark — ${machineLine()}; ${durationS}s, ${connections} connections, DB pool ${poolSize}, INTAKE_WRITE_CONCURRENCY ${args['write-concurrency']}\n`,
  );
  printTable(
    ['run', 'leads/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx/errors'],
    [
      [
        'POST /v1/sites/:host/leads (leads-api + relay)',
        fmt(result.requests.average, 0),
        fmt(result.latency.p50),
        fmt(result.latency.p99),
        result.requests.total,
        non2xx,
      ],
      [
        'raw pg: BEGIN; INSERT lead; INSERT outbox; COMMIT',
        fmt(raw.perSecond, 0),
        fmt(raw.p50),
        fmt(raw.p99),
        raw.total,
        0,
      ],
      [
        'raw pg: one INSERT lead + outbox statement per lead',
        fmt(rawStatement.perSecond, 0),
        fmt(rawStatement.p50),
        fmt(rawStatement.p99),
        rawStatement.total,
        0,
      ],
    ],
  );
  console.log(
    `\nratio leads-api / raw transactions: ${fmt(result.requests.average / raw.perSecond, 2)}; / raw one-statement inserts: ${fmt(result.requests.average / rawStatement.perSecond, 2)}`,
  );
  console.log(
    `leads stored: ${stored}; outbox rows left unpublished after the load: ${backlog} (relay drained the rest in ${fmt(drainMs, 0)} ms)`,
  );
  console.log(`target (SPEC §9): >= 2000 leads/s with p99 < 50 ms`);
  if (non2xx > 0) process.exitCode = 1;
} finally {
  await api.stop();
}
