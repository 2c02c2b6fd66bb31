// @ts-check
// `npm run bench:sustained`: the throughput–latency curve of the whole stack (form → leads-api → outbox → Kafka →
// dispatcher → receiver) on this machine. The offered rate ramps in steps; each step is held long enough to be
// steady, and reports the delivered rate, end-to-end p50/p99 of the leads delivered in it, CPU per lead of each
// process, and the backlog (accepted but not yet delivered) at its start and end. The knee is the highest offered
// rate at which p99 stays under --p99-limit and the backlog does not grow. Writes the table (Markdown), the raw
// figures (JSON) and a plot (SVG, drawn by Vega-Lite) under --out.
//   npm run bench:sustained -- --rates 250,500,1000,1500,2000,2500,3000 --hold 20 --sites 20 --out docs/performance
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import {
  createSite,
  fmt,
  machineLine,
  percentile,
  prepareBenchEnvironment,
  printTable,
  startApp,
} from './bench-stack.mjs';
import { busyShare, cpuBetween, cpuByPid, cpuMs, isKafka, isPostgres, machineTicks } from './process-cpu.mjs';
import { sinkArrivals, startSink, waitFor } from './sink-client.mjs';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '250,500,1000,1500,2000,2500,3000' },
    hold: { type: 'string', default: '20' },
    sites: { type: 'string', default: '20' },
    dispatchers: { type: 'string', default: '1' },
    'p99-limit': { type: 'string', default: '500' },
    // Steps past the knee say little more and pile up a backlog: stop after this many failing steps in a row.
    'stop-after': { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
const rates = args.rates.split(',').map(Number);
const holdS = Number(args.hold);
const siteCount = Number(args.sites);
const dispatcherCount = Number(args.dispatchers);
const p99Limit = Number(args['p99-limit']);
const stopAfter = Number(args['stop-after']);
if (rates.some((rate) => !(rate > 0)) || !(holdS >= 5))
  throw new Error('--rates must be positive numbers and --hold at least 5 (seconds)');
// The first seconds of a step carry the previous step's queue; the step is judged on what follows.
const settleS = Math.min(5, Math.floor(holdS / 3));

/** @param {Record<string, unknown>} options @returns {Promise<any>} */
const load = (options) =>
  new Promise((resolve, reject) =>
    autocannon(options, (/** @type {Error | null} */ error, /** @type {any} */ result) =>
      error ? reject(error) : resolve(result),
    ),
  );

const lead = (/** @type {number} */ i) =>
  JSON.stringify({
    name: `Lead ${i}`,
    email: `lead${i}@example.com`,
    message: 'Call me back',
    page_url: 'https://bench.example/contact',
    utm_source: 'bench',
  });

const { env } = await prepareBenchEnvironment('leadhooks_bench_sustained');
const sink = await startSink();
const api = await startApp('leads-api', { ...env, OUTBOX_POLL_INTERVAL: '100ms' });
const dispatcherEnv = { ...env, SITE_RATE_LIMIT_PER_SECOND: '0', KAFKA_PARTITIONS_CONCURRENCY: '12' };
const dispatchers = await Promise.all(
  Array.from({ length: dispatcherCount }, () => startApp('zapier-dispatcher', dispatcherEnv)),
);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();

/**
 * @typedef {{ offered: number, accepted: number, refused: number, delivered: number, p50: number, p99: number,
 *   backlogStart: number, backlogEnd: number, busy: number, cpu: Record<string, number>, cpuPerLead: number,
 *   steady: boolean }} Step
 */
/** @type {Step[]} */
const steps = [];
try {
  const hosts = [];
  for (let i = 0; i < siteCount; i++) {
    hosts.push(`site${i}.bench.example`);
    await createSite(api.url, hosts[i], `${sink.url}/hooks/${i}`);
  }
  const requests = hosts.map((host, i) => ({
    method: 'POST',
    path: `/v1/sites/${host}/leads`,
    headers: { 'content-type': 'application/json' },
    body: lead(i),
  }));
  // Warm-up: connections, JIT, prepared statements; not measured.
  await load({ url: api.url, connections: 16, overallRate: 200, duration: 5, requests });
  const delivered = async () => (await sinkArrivals(sink.url, Number.MAX_SAFE_INTEGER)).delivered;
  // Accepted but not yet delivered: every stored lead less every lead the receiver has had (one endpoint each).
  const backlog = async () =>
    Number((await db.query('SELECT count(*) AS n FROM lead')).rows[0].n) - (await delivered());
  await waitFor('the warm-up leads to arrive', async () => (await backlog()) <= 0, 120_000);

  let failing = 0;
  for (const offered of rates) {
    const stepStart = Date.now();
    const measureFrom = stepStart + settleS * 1000;
    console.error(`[bench] ${offered} leads/s for ${holdS} s ...`);
    const running = load({
      url: api.url,
      connections: Math.max(16, Math.ceil(offered / 25)),
      overallRate: offered,
      duration: holdS,
      requests,
    });
    await sleep(settleS * 1000);
    const backlogStart = await backlog();
    const from = {
      api: cpuMs(api.pid),
      dispatcher: dispatchers.reduce((sum, app) => sum + cpuMs(app.pid), 0),
      kafka: cpuByPid(isKafka),
      postgres: cpuByPid(isPostgres),
      sink: cpuMs(sink.pid),
      load: process.cpuUsage(),
      machine: machineTicks(),
    };
    const result = await running;
    const measureTo = Date.now();
    const stepAccepted = result.requests.total - result.non2xx - result.errors;
    const window = await sinkArrivals(sink.url, measureFrom);
    const inWindow = window.arrivals.filter(([at]) => at <= measureTo);
    const ages = inWindow.map(([, age]) => age).sort((a, b) => a - b);
    const loadCpu = process.cpuUsage(from.load);
    /** @type {Record<string, number>} CPU ms over the measured window */
    const cpuSpent = {
      'leads-api': cpuMs(api.pid) - from.api,
      dispatcher: dispatchers.reduce((sum, app) => sum + cpuMs(app.pid), 0) - from.dispatcher,
      Kafka: cpuBetween(from.kafka, cpuByPid(isKafka)),
      Postgres: cpuBetween(from.postgres, cpuByPid(isPostgres)),
      sink: cpuMs(sink.pid) - from.sink,
      'load generator': (loadCpu.user + loadCpu.system) / 1000,
    };
    const busy = busyShare(from.machine, machineTicks());
    const seconds = (measureTo - measureFrom) / 1000;
    const deliveredRate = inWindow.length / seconds;
    // Per lead carried in the window: what the stack spent over it, divided by the leads it delivered then.
    const cpu = Object.fromEntries(
      Object.entries(cpuSpent).map(([name, ms]) => [name, ms / Math.max(1, inWindow.length)]),
    );
    const cpuPerLead = Object.values(cpu).reduce((sum, ms) => sum + (Number.isFinite(ms) ? ms : 0), 0);
    const backlogEnd = await backlog();
    const p99 = percentile(ages, 99);
    // Steady: intake takes what is offered and the receiver gets it (each within 3 %), the backlog grew by under 2 % of what the window
    // offered, and p99 is under the limit.
    const steady =
      stepAccepted >= 0.97 * offered * holdS &&
      deliveredRate >= 0.97 * offered &&
      backlogEnd - backlogStart <= 0.02 * offered * seconds &&
      p99 < p99Limit &&
      result.non2xx + result.errors === 0;
    steps.push({
      offered,
      accepted: stepAccepted,
      refused: result.non2xx + result.errors,
      delivered: deliveredRate,
      p50: percentile(ages, 50),
      p99,
      backlogStart,
      backlogEnd,
      busy,
      cpu,
      cpuPerLead,
      steady,
    });
    console.error(
      `[bench]   delivered ${fmt(deliveredRate, 0)}/s, p50 ${fmt(percentile(ages, 50), 0)} ms, p99 ${fmt(p99, 0)} ms, backlog ${backlogStart} → ${backlogEnd}, ${steady ? 'steady' : 'NOT steady'}`,
    );
    failing = steady ? 0 : failing + 1;
    if (failing >= stopAfter) break;
    // Let the backlog a failing step left drain before the next one (bounded: a step far past the knee may not).
    await waitFor(
      'the backlog to drain',
      async () => (await backlog()) <= Math.max(50, 0.05 * offered),
      Math.max(30_000, 10 * holdS * 1000),
    ).catch(() => console.error('[bench]   the backlog did not drain in time; going on'));
  }
} finally {
  await db.end();
  await Promise.all(dispatchers.map((app) => app.stop()));
  await api.stop();
  sink.stop();
}

const knee = steps.filter((step) => step.steady).at(-1);
const processes = Object.keys(steps[0]?.cpu ?? {});
const header = [
  'offered /s',
  'accepted /s',
  'delivered /s',
  'p50 ms',
  'p99 ms',
  'backlog start → end',
  'cores busy',
  `CPU ms per lead (${processes.join(' / ')})`,
  'stack ms/lead',
  'steady',
];
const rows = steps.map((step) => [
  String(step.offered),
  fmt(step.accepted / holdS, 0),
  fmt(step.delivered, 0),
  fmt(step.p50, 0),
  fmt(step.p99, 0),
  `${step.backlogStart} → ${step.backlogEnd}`,
  `${fmt(100 * step.busy, 0)}%`,
  processes.map((name) => fmt(step.cpu[name], 2)).join(' / '),
  fmt(step.cpuPerLead, 2),
  step.steady ? 'yes' : 'no',
]);
const title = `Sustained rate — ${machineLine()}; ${siteCount} sites, 12 partitions, ${dispatcherCount} dispatcher process(es), ${holdS} s per step (first ${settleS} s not judged)`;
const kneeLine = knee
  ? `knee: ${knee.offered} leads/s (the highest offered rate with p99 < ${p99Limit} ms and no growing backlog)`
  : `knee: none of the offered rates was steady (p99 < ${p99Limit} ms, no growing backlog)`;
console.log(`\n${title}\n`);
printTable(header, rows);
console.log(`\n${kneeLine}; goal (issue 25): >= 2000 leads/s on this machine (${os.cpus().length} cores)`);

if (args.out) {
  fs.mkdirSync(args.out, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '');
  const base = path.join(args.out, `sustained-${stamp}`);
  fs.writeFileSync(
    `${base}.json`,
    JSON.stringify({ title, p99Limit, knee: knee?.offered ?? null, steps }, null, 2),
  );
  fs.writeFileSync(
    `${base}.md`,
    [
      `${title}`,
      '',
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map((row) => `| ${row.join(' | ')} |`),
      '',
      kneeLine,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(`${base}.svg`, await plot(steps, title));
  console.log(`\nwrote ${base}.md, ${base}.json and ${base}.svg`);
}

/**
 * Delivered rate and end-to-end latency against the offered rate, side by side.
 * @param {Step[]} measured @param {string} heading
 */
async function plot(measured, heading) {
  const values = measured.flatMap((step) => [
    { offered: step.offered, measure: 'delivered /s', value: step.delivered },
    { offered: step.offered, measure: 'p50 ms', value: step.p50 },
    { offered: step.offered, measure: 'p99 ms', value: step.p99 },
  ]);
  const x = /** @type {const} */ ({ field: 'offered', type: 'quantitative', title: 'offered leads/s' });
  /** @type {import('vega-lite').TopLevelSpec} */
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'leadhooks: whole stack, form → receiver', subtitle: heading, subtitleFontSize: 9 },
    data: { values },
    hconcat: [
      {
        width: 320,
        height: 240,
        title: 'delivered vs offered',
        layer: [
          {
            transform: [{ filter: "datum.measure === 'delivered /s'" }],
            mark: { type: 'line', point: true },
            encoding: { x, y: { field: 'value', type: 'quantitative', title: 'delivered leads/s' } },
          },
          {
            transform: [
              { filter: "datum.measure === 'delivered /s'" },
              { calculate: 'datum.offered', as: 'ideal' },
            ],
            mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
            encoding: { x, y: { field: 'ideal', type: 'quantitative' } },
          },
        ],
      },
      {
        width: 320,
        height: 240,
        title: `end-to-end latency (limit ${p99Limit} ms)`,
        layer: [
          {
            transform: [{ filter: "datum.measure !== 'delivered /s'" }],
            mark: { type: 'line', point: true },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', title: 'ms', scale: { type: 'log' } },
              color: { field: 'measure', type: 'nominal', title: null },
            },
          },
          {
            data: { values: [{ limit: p99Limit }] },
            mark: { type: 'rule', strokeDash: [4, 4], color: 'red' },
            encoding: { y: { field: 'limit', type: 'quantitative' } },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
