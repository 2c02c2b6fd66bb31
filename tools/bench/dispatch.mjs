// @ts-check
// `npm run bench:dispatch`: the dispatcher against a healthy local sink (its own process), on the real stack.
//   1. the sink's own raw capacity (autocannon straight at it): the ceiling for everything below;
//   2. deliveries/s: N leads submitted and relayed to Kafka first, then the dispatcher started; time from the
//      first to the last delivery the sink sees (spread over many sites, per-site rate limit off for the run);
//   3. end to end at a fixed 500 leads/s: lead stored → sink got it, p50/p99.
//   npm run bench:dispatch -- --leads 20000 --rate 500 --duration 20 --sites 20 --dispatchers 1
//   --custom-share 0.1: that share of the sites' endpoints send a `custom` body (CUSTOM_MAPPING below, a CRM's shape),
//   so as many deliveries go through the mapping engine's worker processes, whose CPU counts as the dispatcher's.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  ADMIN_KEY,
  createSite,
  fmt,
  machineLine,
  percentile,
  prepareBenchEnvironment,
  printTable,
  startApp,
} from './bench-stack.mjs';
import {
  busyShare,
  cpuBetween,
  cpuByPid,
  cpuMs,
  isKafka,
  isPostgres,
  machineTicks,
  rssMb,
  treeCpuMs,
} from './process-cpu.mjs';
import { sinkStats, startSink, waitFor } from './sink-client.mjs';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '500' },
    duration: { type: 'string', default: '20' },
    sites: { type: 'string', default: '20' },
    dispatchers: { type: 'string', default: '1' },
    'custom-share': { type: 'string', default: '0' },
    json: { type: 'string' },
  },
});
const leadCount = Number(args.leads);
const rate = Number(args.rate);
const durationS = Number(args.duration);
const siteCount = Number(args.sites);
const dispatcherCount = Number(args.dispatchers);
const customShare = Number(args['custom-share']);
if (!(customShare >= 0 && customShare <= 1))
  throw new Error(`--custom-share must be between 0 and 1 (got ${args['custom-share']})`);
const customSites = Math.round(customShare * siteCount);

/**
 * What a CRM integration maps a lead to: its id, nested contact fields, the name split in two, tracking from the
 * form's extra fields, the event's identity. Evaluated once per delivery. (The sink times a delivery by the body's
 * top-level `lead_id` and `submitted_at`, which this mapping keeps.)
 */
const CUSTOM_MAPPING = `{
  "lead_id": lead.lead_id,
  "contact": {
    "email": lead.email,
    "first_name": $substringBefore(lead.name, " "),
    "last_name": $substringAfter(lead.name, " "),
    "phone": lead.phone
  },
  "source": {
    "site": site.hostname,
    "page": lead.page_url,
    "utm_source": lead.extra.utm_source
  },
  "note": lead.message,
  "event": event,
  "event_id": event_id,
  "submitted_at": lead.submitted_at,
  "attempt": attempt
}`;

/** Turns a site's endpoint into a `custom` one with CUSTOM_MAPPING. @param {string} siteId */
async function makeCustom(siteId) {
  const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const endpoints = /** @type {Array<{ id: string }>} */ (
    await (await fetch(`${api.url}/v1/admin/sites/${siteId}/endpoints`, { headers })).json()
  );
  for (const endpoint of endpoints) {
    const response = await fetch(`${api.url}/v1/admin/endpoints/${endpoint.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ format: 'custom', mapping: CUSTOM_MAPPING }),
    });
    if (!response.ok)
      throw new Error(`making ${endpoint.id} custom: ${response.status} ${await response.text()}`);
  }
}

/** @param {Record<string, unknown>} options @returns {Promise<any>} */
const load = (options) =>
  new Promise((resolve, reject) =>
    autocannon(options, (/** @type {Error | null} */ error, /** @type {any} */ result) =>
      error ? reject(error) : resolve(result),
    ),
  );

/**
 * An app's event-loop delay since its previous scrape (prom-client's default metrics), in ms.
 * @param {string} url
 */
async function eventLoopDelay(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (/** @type {string} */ name) =>
    1000 * Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    p50: value('nodejs_eventloop_lag_p50_seconds'),
    p99: value('nodejs_eventloop_lag_p99_seconds'),
    max: value('nodejs_eventloop_lag_max_seconds'),
  };
}

const lead = (/** @type {number} */ i) =>
  JSON.stringify({
    name: `Lead ${i}`,
    email: `lead${i}@example.com`,
    message: 'Call me back',
    page_url: 'https://bench.example/contact',
    utm_source: 'bench',
  });

// The machine may be shared: its load when the run starts and ends goes with the figures.
const loadAtStart = os.loadavg();
const { env } = await prepareBenchEnvironment('leadhooks_bench_dispatch');
const sink = /** @type {{ url: string, pid: number, stop: () => void }} */ (await startSink());
const api = await startApp('leads-api', { ...env, OUTBOX_POLL_INTERVAL: '100ms' });
/** @type {Array<Awaited<ReturnType<typeof startApp>>>} */
const dispatchers = [];
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
try {
  const hosts = [];
  for (let i = 0; i < siteCount; i++) {
    hosts.push(`site${i}.bench.example`);
    const site = await createSite(api.url, hosts[i], `${sink.url}/hooks/${i}`);
    if (i < customSites) await makeCustom(site.id);
  }
  const requests = hosts.map((host, i) => ({
    method: 'POST',
    path: `/v1/sites/${host}/leads`,
    headers: { 'content-type': 'application/json' },
    body: lead(i),
  }));

  console.error('[bench] 1/3 sink raw capacity (10 s, 64 connections) ...');
  const raw = await load({
    url: `${sink.url}/hooks/raw`,
    method: 'POST',
    connections: 64,
    duration: 10,
    headers: { 'content-type': 'application/json' },
    body: lead(0),
  });
  await fetch(`${sink.url}/stats`, { method: 'DELETE' });

  console.error(
    `[bench] 2/3 submitting ${leadCount} leads over ${siteCount} sites, relaying them to Kafka, then starting the dispatcher ...`,
  );
  const submitted = await load({ url: api.url, connections: 32, amount: leadCount, requests });
  if (submitted.non2xx || submitted.errors)
    throw new Error(`intake refused ${submitted.non2xx} and failed ${submitted.errors} requests`);
  await waitFor(
    'the relay to publish every lead',
    async () =>
      Number((await db.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n) === 0,
    120_000,
  );
  const burstFrom = { machine: machineTicks(), postgres: cpuByPid(isPostgres) };
  const dispatcherStarted = Date.now();
  const dispatcherEnv = { ...env, SITE_RATE_LIMIT_PER_SECOND: '0', KAFKA_PARTITIONS_CONCURRENCY: '12' };
  // Each process's CPU counts from the moment it is up (its start-up excluded): with several, the first is already
  // delivering while the others boot, so a reading taken once all are up would miss its share.
  /** @type {Map<number | undefined, number>} */
  const cpuAtUp = new Map();
  dispatchers.push(
    ...(await Promise.all(
      Array.from({ length: dispatcherCount }, () =>
        startApp('zapier-dispatcher', dispatcherEnv).then((app) => {
          cpuAtUp.set(app.pid, treeCpuMs(app.pid));
          return app;
        }),
      ),
    )),
  );
  const rss = () => dispatchers.reduce((sum, app) => sum + rssMb(app.pid), 0);
  const rssStart = rss();
  // The dispatchers' own CPU and their mapping workers' (child processes).
  const cpu = () => dispatchers.reduce((sum, app) => sum + treeCpuMs(app.pid), 0);
  const cpuStart = [...cpuAtUp.values()].reduce((sum, ms) => sum + ms, 0);
  await waitFor(
    `${leadCount} deliveries`,
    async () => (await sinkStats(sink.url)).ages.length >= leadCount,
    300_000,
  );
  const burst = await sinkStats(sink.url);
  const cpuPerDelivery = (cpu() - cpuStart) / burst.ages.length;
  // What else the machine did meanwhile (from the dispatchers' start): all cores' busy share, and Postgres's CPU
  // per delivery.
  const burstMachineBusy = busyShare(burstFrom.machine, machineTicks());
  const burstPostgresCpu = cpuBetween(burstFrom.postgres, cpuByPid(isPostgres)) / burst.ages.length;
  const rssAfterBurst = rss();
  const sent = Number(
    (await db.query(`SELECT count(*) AS n FROM lead WHERE zapier_status = 'SENT'`)).rows[0].n,
  );
  const deliveriesPerSecond = (burst.ages.length - 1) / ((burst.lastAt - burst.firstAt) / 1000);
  const withStartup = burst.ages.length / ((burst.lastAt - dispatcherStarted) / 1000);

  console.error(`[bench] 3/3 end to end at ${rate} leads/s for ${durationS} s ...`);
  await fetch(`${sink.url}/stats`, { method: 'DELETE' });
  // prom-client's event-loop delay histogram restarts at each scrape: this one starts the steady phase's window.
  await Promise.all([api, ...dispatchers].map((app) => eventLoopDelay(app.url)));
  const steadyFrom = new Date();
  // Where the machine's CPU goes per lead, process by process, while the stack carries the steady rate.
  const stackCpuFrom = {
    api: cpuMs(api.pid),
    dispatcher: cpu(),
    kafka: cpuByPid(isKafka),
    postgres: cpuByPid(isPostgres),
    sink: cpuMs(sink.pid),
    load: process.cpuUsage(),
  };
  const steady = await load({
    url: api.url,
    connections: 16,
    overallRate: rate,
    duration: durationS,
    requests,
  });
  const accepted = steady.requests.total - steady.non2xx - steady.errors;
  const loadCpu = process.cpuUsage(stackCpuFrom.load);
  /** @type {Record<string, number>} CPU ms per accepted lead */
  const stackCpu = Object.fromEntries(
    Object.entries({
      'leads-api': cpuMs(api.pid) - stackCpuFrom.api,
      dispatcher: cpu() - stackCpuFrom.dispatcher,
      Kafka: cpuBetween(stackCpuFrom.kafka, cpuByPid(isKafka)),
      Postgres: cpuBetween(stackCpuFrom.postgres, cpuByPid(isPostgres)),
      sink: cpuMs(sink.pid) - stackCpuFrom.sink,
      'load generator': (loadCpu.user + loadCpu.system) / 1000,
    }).map(([name, ms]) => [name, ms / accepted]),
  );
  const stackCpuPerLead = Object.values(stackCpu).reduce(
    (sum, ms) => sum + (Number.isFinite(ms) ? ms : 0),
    0,
  );
  await waitFor(
    'every steady-state lead to arrive',
    async () => (await sinkStats(sink.url)).ages.length >= accepted,
    120_000,
  );
  const [apiLag, ...dispatcherLags] = await Promise.all(
    [api, ...dispatchers].map((app) => eventLoopDelay(app.url)),
  );
  const e2e = await sinkStats(sink.url);
  const ages = e2e.ages.sort((a, b) => a - b);
  // Where the steady leads' time went, from what Postgres recorded on the way: stored → published to Kafka (relay)
  // → deliveries made (dispatcher consumed and fanned out) → POST started → answered.
  const stages = (
    await db.query(
      `WITH s AS (
         SELECT extract(epoch FROM o.published_at - l.submitted_at) * 1000 AS relay,
                extract(epoch FROM d.created_at - o.published_at) * 1000 AS consume,
                extract(epoch FROM a.started_at - d.created_at) * 1000 AS claim,
                a.duration_ms AS post
           FROM lead l
           JOIN outbox o ON o.aggregate_id = l.id AND o.event_type = 'lead.created' AND o.published_at IS NOT NULL
           JOIN delivery d ON d.lead_id = l.id AND d.event_type = 'lead.created'
           JOIN delivery_attempt a ON a.delivery_id = d.id AND a.attempt = 1
          WHERE l.submitted_at >= $1)
       SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY v) AS p99
         FROM s, LATERAL (VALUES ('relay', relay), ('consume', consume), ('claim', claim), ('post', post)) x(stage, v)
        GROUP BY stage`,
      [steadyFrom],
    )
  ).rows;
  const stage = (/** @type {string} */ name) =>
    stages.find((row) => row.stage === name) ?? { p50: NaN, p99: NaN };
  const rssEnd = rss();

  if (args.json) {
    fs.writeFileSync(
      args.json,
      JSON.stringify({
        sink: { perSecond: raw.requests.average, p50: raw.latency.p50, p99: raw.latency.p99 },
        customSites,
        loadAverage: { start: loadAtStart, end: os.loadavg() },
        burst: {
          deliveriesPerSecond,
          cpuMsPerDelivery: cpuPerDelivery,
          machineBusy: burstMachineBusy,
          postgresCpuMsPerDelivery: burstPostgresCpu,
          fromStart: withStartup,
          sent,
          duplicates: burst.duplicates,
          leads: leadCount,
        },
        endToEnd: {
          rate,
          p50: percentile(ages, 50),
          p99: percentile(ages, 99),
          max: ages.at(-1) ?? null,
          accepted,
          delivered: ages.length,
          duplicates: e2e.duplicates,
          cpuMsPerLead: stackCpu,
          stages: Object.fromEntries(
            stages.map((row) => [row.stage, { p50: Number(row.p50), p99: Number(row.p99) }]),
          ),
        },
        dispatcherRssMb: { start: rssStart, afterBurst: rssAfterBurst, end: rssEnd },
      }),
    );
  }
  console.log(
    `\nDispatch benchmark — ${machineLine()}; ${siteCount} sites (${customSites} with a custom mapping), 12 partitions, ${dispatcherCount} dispatcher process(es)\n`,
  );
  const loadLine = (/** @type {number[]} */ load) => load.map((n) => fmt(n, 2)).join(' / ');
  printTable(
    ['measure', 'value'],
    [
      [
        'load average 1 / 5 / 15 min: at start → at end',
        `${loadLine(loadAtStart)} → ${loadLine(os.loadavg())}`,
      ],
      [
        'sink raw capacity (autocannon, 64 conns)',
        `${fmt(raw.requests.average, 0)} req/s (p99 ${fmt(raw.latency.p99)} ms)`,
      ],
      [
        `deliveries/s, ${leadCount} queued leads (first → last delivery)`,
        `${fmt(deliveriesPerSecond, 0)} /s (${fmt((100 * deliveriesPerSecond) / raw.requests.average, 0)}% of sink capacity)`,
      ],
      ['  same, counted from dispatcher process start', `${fmt(withStartup, 0)} /s`],
      ['  leads SENT / duplicate POSTs seen by the sink', `${sent} / ${burst.duplicates}`],
      [
        `  dispatcher CPU per delivery${dispatcherCount > 1 ? ' (all processes)' : ''}`,
        `${fmt(cpuPerDelivery, 3)} ms`,
      ],
      [
        `  meanwhile: the machine's ${os.cpus().length} cores busy / Postgres CPU per delivery`,
        `${fmt(100 * burstMachineBusy, 0)}% / ${fmt(burstPostgresCpu, 3)} ms`,
      ],
      [`end to end at ${rate} leads/s for ${durationS}s: p50`, `${fmt(percentile(ages, 50), 0)} ms`],
      ['  p99', `${fmt(percentile(ages, 99), 0)} ms`],
      ['  max', `${fmt(ages.at(-1) ?? NaN, 0)} ms`],
      ['  leads accepted / delivered / duplicates', `${accepted} / ${ages.length} / ${e2e.duplicates}`],
      [
        `  CPU per lead: ${Object.keys(stackCpu).join(' / ')}`,
        `${Object.values(stackCpu)
          .map((ms) => fmt(ms, 2))
          .join(' / ')} ms`,
      ],
      [
        `  whole stack per lead → leads/s ${os.cpus().length} cores could carry at 100%`,
        `${fmt(stackCpuPerLead, 2)} ms → ${fmt((os.cpus().length * 1000) / stackCpuPerLead, 0)} /s`,
      ],
      ...[
        ['stored → published to Kafka (relay)', 'relay'],
        ['published → deliveries made (consume, fan-out)', 'consume'],
        ['deliveries made → POST started', 'claim'],
        ['POST answered (sink)', 'post'],
      ].map(([label, name]) => [
        `  ${label}: p50 / p99`,
        `${fmt(Number(stage(name).p50), 1)} / ${fmt(Number(stage(name).p99), 1)} ms`,
      ]),
      ...[
        /** @type {[string, {p50: number, p99: number, max: number}]} */ (['leads-api', apiLag]),
        ...dispatcherLags.map(
          (lag) => /** @type {[string, {p50: number, p99: number, max: number}]} */ (['dispatcher', lag]),
        ),
      ].map(([name, lag]) => [
        `  ${name} event-loop delay: p50 / p99 / max`,
        `${fmt(lag.p50, 1)} / ${fmt(lag.p99, 1)} / ${fmt(lag.max, 1)} ms`,
      ]),
      [
        `dispatcher RSS${dispatcherCount > 1 ? ' (sum)' : ''}: start / after burst / end`,
        `${fmt(rssStart, 0)} / ${fmt(rssAfterBurst, 0)} / ${fmt(rssEnd, 0)} MB`,
      ],
    ],
  );
  console.log(
    '\ntargets (SPEC §9): >= 2000 deliveries/s; end to end p50 < 50 ms, p99 < 250 ms at 500 leads/s',
  );
} finally {
  await db.end();
  await Promise.all(dispatchers.map((app) => app.stop()));
  await api.stop();
  sink.stop();
}
