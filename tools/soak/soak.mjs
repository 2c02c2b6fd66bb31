// @ts-check
// `npm run soak -- --minutes 30 --rate 100`: leads-api and a dispatcher as their own processes on real Postgres +
// Kafka, fed at a steady rate to a healthy receiver. It reads both apps' /metrics every few seconds and prints,
// each minute, their RSS, heap used, heap after the last full collection, external memory and event-loop delay
// p99. It judges what an operator sets a container limit by (docs/memory.md): each app's peak RSS against its
// recommended container memory, and the trend of its post-GC heap over the run after the warm-up (a line fitted
// to every post-GC reading, not only the first and last), and that every lead was delivered once. Exit 1 on any
// failure.
//
// Diagnosis: `--heap-snapshots DIR` starts both apps with `--heapsnapshot-signal` and writes a heap snapshot of each
// at the end of the warm-up and at the end of the run (compare them with tools/soak/heap-diff.mjs). A snapshot
// takes about the heap's size again while it is written, so RSS is not judged in that mode.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import undici from 'undici';
import { repoRoot } from '../infra/paths.mjs';
import { createSite, prepareBenchEnvironment, printTable, startApp } from '../bench/bench-stack.mjs';
import { fitLine } from './trend.mjs';

/**
 * The container memory docs/memory.md recommends for each app (keep the two in step). The soak fails when an app's
 * RSS reaches it at any moment of the run.
 */
const RECOMMENDED_CONTAINER_MB = { 'leads-api': 320, 'zapier-dispatcher': 384 };

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    // This checkout's own database (dropped and made again at the start of each run), so two checkouts on one
    // Postgres server never share one.
    database: {
      type: 'string',
      default: `leadhooks_soak_${crypto.createHash('sha256').update(repoRoot).digest('hex').slice(0, 8)}`,
    },
    // Growth of the post-GC heap over the run after the warm-up, as the fitted line reads it.
    'max-heap-growth-mb': { type: 'string', default: '8' },
    'api-rss-limit-mb': { type: 'string', default: String(RECOMMENDED_CONTAINER_MB['leads-api']) },
    'dispatcher-rss-limit-mb': {
      type: 'string',
      default: String(RECOMMENDED_CONTAINER_MB['zapier-dispatcher']),
    },
    'heap-snapshots': { type: 'string' },
    // Every sample and check as JSON, for a closer look after the run.
    out: { type: 'string' },
  },
});
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.database)) {
  console.error(`--database must be a plain lower-case Postgres name (got '${args.database}')`);
  process.exit(2);
}
const durationMs = Number(args.minutes) * 60_000;
const rate = Number(args.rate);
const scrapeMs = 5_000;
const printMs = Math.min(60_000, Math.max(10_000, durationMs / 6));
// A process at 100 leads/s is still sizing its V8 heap for its first ~30–100 s: its RSS takes a one-off step of
// ~60 MB then (measured at 22–33 s after start on a 2-core VM; the dispatcher's old space grows until its first
// full collection, ~100 s in, and keeps the pages), which is not a leak. The heap trend is judged after it.
const warmupMs = Math.min(120_000, Math.max(40_000, durationMs / 3));
const maxHeapGrowthBytes = Number(args['max-heap-growth-mb']) * 1024 * 1024;
const rssLimitBytes = {
  'leads-api': Number(args['api-rss-limit-mb']) * 1024 * 1024,
  'zapier-dispatcher': Number(args['dispatcher-rss-limit-mb']) * 1024 * 1024,
};
const snapshotDir = args['heap-snapshots'] ? path.resolve(args['heap-snapshots']) : undefined;
if (snapshotDir) fs.mkdirSync(snapshotDir, { recursive: true });
// SIGWINCH: not one of the signals Nest's shutdown hooks stop the app on (SIGUSR2 is), and ignored by default.
const nodeArgs = snapshotDir ? ['--heapsnapshot-signal=SIGWINCH', `--diagnostic-dir=${snapshotDir}`] : [];

const { env } = await prepareBenchEnvironment(args.database);
const sink = await startSink();
// Intake as deployed by default: the per-site limit on (200/s; each of the 10 sites gets a tenth of the load), so its
// buckets are part of what is measured. The per-IP one stays off: every post comes from this one address.
const appEnv = { ...env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_SITE_PER_SECOND: '200' };
const apps = /** @type {const} */ ({
  'leads-api': await startApp('leads-api', appEnv, { nodeArgs }),
  'zapier-dispatcher': await startApp('zapier-dispatcher', appEnv, { nodeArgs }),
});
const api = apps['leads-api'];
const hosts = [];
for (let i = 0; i < 10; i++) {
  await createSite(api.url, `soak-${i}.test`, `${sink.url}/hooks/soak-${i}`);
  hosts.push(`soak-${i}.test`);
}
console.log(
  `[soak] ${args.minutes} min at ${rate} leads/s (database ${args.database}); reading /metrics every ${scrapeMs / 1000} s, ` +
    `printing every ${printMs / 1000} s; warm-up ${warmupMs / 1000} s`,
);

// Forms post from many browsers, but one load generator opening a connection per post whenever the API is slow to
// answer (fetch's default) buries a starved API in connection attempts, until its accept queue overflows and posts
// time out unsent. 64 keep-alive connections carry 100 posts/s with room; posts beyond them wait here, timed as
// part of their request.
const clients = new undici.Agent({ connections: 64, headersTimeout: 120_000, bodyTimeout: 120_000 });
let posted = 0;
let notSent = 0;
let failedPosts = 0;
const start = Date.now();
const load = (async () => {
  const inFlight = new Set();
  for (let i = 0; Date.now() - start < durationMs; i++) {
    // Yield on every post, also when behind schedule: a loop that only awaited when ahead would, once behind (a
    // starved CPU), queue posts forever without ever sending one or letting the samples run.
    const due = start + (i / rate) * 1000;
    await (due > Date.now() ? sleep(due - Date.now()) : new Promise((resolve) => setImmediate(resolve)));
    // A stack that cannot keep up (a starved machine) would otherwise queue posts here without end, to be sent after
    // the run and unsampled: past a few seconds' worth waiting, the post is not made, and the run says how many.
    if (inFlight.size >= rate * 5) {
      notSent++;
      continue;
    }
    const request = undici
      .request(`${api.url}/v1/sites/${hosts[i % hosts.length]}/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `soak${i}@example.com`,
          name: 'Soak',
          message: 'x'.repeat(200),
          plan: 'pro',
        }),
        dispatcher: clients,
      })
      .then(async (response) => {
        await response.body.dump();
        if (response.statusCode === 201) posted++;
        else failedPosts++;
      })
      .catch(() => failedPosts++)
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
})();

/**
 * @typedef {{ at: number, rss: number, heapUsed: number, heapTotal: number, external: number,
 *   heapAfterGc: number, youngGeneration: number, majorGcs: number, loopP99: number }} Sample
 */
/** @type {Record<keyof typeof apps, Sample[]>} */
const samples = { 'leads-api': [], 'zapier-dispatcher': [] };
/** @type {Array<Array<string | number>>} */
const rows = [];
let snapshotTaken = false;
let nextPrintAt = printMs;
while (Date.now() - start < durationMs) {
  await sleep(Math.min(scrapeMs, durationMs - (Date.now() - start)));
  if (snapshotDir && !snapshotTaken && Date.now() - start >= warmupMs) {
    snapshotTaken = true;
    await snapshotAll('end of warm-up');
  }
  const at = Date.now() - start;
  for (const [name, app] of Object.entries(apps)) {
    if (app.exitCode() !== null) {
      console.error(
        `[soak] ${name} exited (${app.exitCode()}); its last output:\n${app.output.slice(-20).join('')}`,
      );
      process.exit(1);
    }
    // On a starved machine an app may not answer for a while: that sample is skipped, not the run.
    const sample = await scrape(app.url).catch((/** @type {Error} */ error) => {
      console.error(
        `[soak] could not read ${name}'s metrics at ${(at / 1000).toFixed(0)} s: ${error.message}`,
      );
      return undefined;
    });
    if (sample) samples[/** @type {keyof typeof apps} */ (name)].push({ at, ...sample });
  }
  if (at < nextPrintAt && at < durationMs - 1_000) continue;
  nextPrintAt += printMs;
  /** @type {Array<string | number>} */
  const row = [`${(at / 1000).toFixed(0)} s`];
  if (Object.values(samples).some((list) => list.length === 0)) continue;
  for (const list of Object.values(samples)) {
    const last = list[list.length - 1];
    row.push(
      mb(last.rss),
      mb(last.heapTotal),
      mb(last.youngGeneration),
      mb(last.heapUsed),
      mb(last.heapAfterGc),
    );
    row.push(mb(last.external));
    row.push((last.loopP99 * 1000).toFixed(1));
  }
  const stats = /** @type {{ requests: number }} */ (await (await fetch(`${sink.url}/stats`)).json());
  row.push(posted, stats.requests);
  rows.push(row);
  console.log(`[soak] ${row.join('  ')}`);
}
await load;
await sleep(3_000);
const delivered = /** @type {{ requests: number, duplicates: number }} */ (
  await (await fetch(`${sink.url}/stats`)).json()
);
if (snapshotDir) await snapshotAll('end of run');

console.log('');
console.log(
  'MB. V8: the heap V8 holds (young: its young generation), used: in use when read, after GC: in use after the' +
    ' last full collection; ext: external (Buffers)',
);
const columns = ['RSS', 'V8', 'young', 'used', 'after GC', 'ext', 'loop p99 ms'];
printTable(
  ['time', ...columns.map((c) => `api ${c}`), ...columns.map((c) => `disp ${c}`), 'posted', 'delivered'],
  rows,
);
console.log('');
const checks = [];
for (const [name, list] of /** @type {Array<[keyof typeof apps, Sample[]]>} */ (Object.entries(samples))) {
  const peak = list.reduce((max, s) => (s.rss > max.rss ? s : max), list[0]);
  const limit = rssLimitBytes[name];
  const rssAfterWarmup = list.filter((s) => s.at >= warmupMs);
  const rssTrend = fitLine(rssAfterWarmup.map((s) => ({ x: s.at / 3_600_000, y: s.rss })));
  const rssCheck = `${name} peak RSS ${mb(peak.rss)} MB at ${(peak.at / 1000).toFixed(0)} s, under its recommended container memory ${mb(limit)} MB (after the warm-up its RSS trends ${signedMb(rssTrend.slope)} MB/h)`;
  if (snapshotDir) console.log(`info  ${rssCheck}: not judged, heap snapshots were written`);
  else checks.push({ name: rssCheck, ok: peak.rss < limit });

  // One point per full collection after the warm-up: the heap as that collection left it.
  const points = [];
  for (let i = 1; i < list.length; i++) {
    if (list[i].at >= warmupMs && list[i].majorGcs > list[i - 1].majorGcs && list[i].heapAfterGc > 0)
      points.push({ x: list[i].at, y: list[i].heapAfterGc });
  }
  if (points.length < 3) {
    // A short run (CI's 3 minutes) may see one or two full collections after its warm-up: too few for a line, so the
    // last post-GC reading is judged against the last one of the warm-up.
    const before =
      list.filter((s) => s.at < warmupMs && s.heapAfterGc > 0).at(-1) ?? list.find((s) => s.heapAfterGc > 0);
    const last = list.filter((s) => s.heapAfterGc > 0).at(-1);
    if (!before || !last) {
      checks.push({
        name: `${name}: no full collection during the run, nothing to judge the heap by`,
        ok: false,
      });
      continue;
    }
    checks.push({
      name: `${name} post-GC heap: ${mb(before.heapAfterGc)} MB at ${(before.at / 1000).toFixed(0)} s, ${mb(last.heapAfterGc)} MB at the last of ${points.length} full collection(s) after it (too few for a trend; bound +${mb(maxHeapGrowthBytes)} MB)`,
      ok: last.heapAfterGc - before.heapAfterGc <= maxHeapGrowthBytes,
    });
    continue;
  }
  const trend = fitLine(points);
  const spanMs = points[points.length - 1].x - points[0].x;
  const growth = trend.slope * spanMs;
  const perLead = (trend.slope * 1000) / rate;
  checks.push({
    name:
      `${name} post-GC heap after the warm-up: ${mb(points[0].y)} → ${mb(points[points.length - 1].y)} MB over ${points.length} full collections; ` +
      `fitted line ${signedMb(growth)} MB over ${(spanMs / 60_000).toFixed(1)} min (${signedMb(trend.slope * 3_600_000)} MB/h, ${perLead.toFixed(0)} bytes per lead; bound +${mb(maxHeapGrowthBytes)} MB)`,
    ok: growth <= maxHeapGrowthBytes,
  });
}
checks.push({
  name: `every posted lead delivered once (${posted} posted, ${delivered.requests} delivered, ${delivered.duplicates} duplicates)`,
  ok: delivered.requests >= posted && delivered.duplicates === 0,
});
checks.push({ name: `posts refused or failed: ${failedPosts}`, ok: failedPosts === 0 });
console.log(
  `${posted} leads posted in ${args.minutes} min (${(posted / (durationMs / 1000)).toFixed(0)}/s of ${rate}/s asked)` +
    (notSent ? `; ${notSent} posts not made while the stack was behind by 5 s of posts` : ''),
);
for (const check of checks) console.log(`${check.ok ? 'pass' : 'FAIL'}  ${check.name}`);
if (args.out) fs.writeFileSync(args.out, JSON.stringify({ args, warmupMs, samples, checks }, null, 1));
const failures = checks.filter((c) => !c.ok).length;
console.log(`\n${checks.length - failures} passed, ${failures} failed`);
await Promise.all(Object.values(apps).map((app) => app.stop()));
sink.stop();
process.exit(failures ? 1 : 0);

/** @param {number} bytes */
function mb(bytes) {
  return (bytes / 1024 / 1024).toFixed(0);
}

/** @param {number} bytes */
function signedMb(bytes) {
  const value = bytes / 1024 / 1024;
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

/** Memory and event-loop delay p99 from an app's Prometheus metrics. @param {string} url */
async function scrape(url) {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(60_000) })).text();
  const value = (/** @type {string} */ name) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return match ? Number(match[1]) : NaN;
  };
  const spaceTotal = (/** @type {string} */ space) => {
    const match = new RegExp(
      `^nodejs_heap_space_size_total_bytes\\{space="${space}"[^}]*\\} ([0-9.e+-]+)$`,
      'm',
    ).exec(text);
    return match ? Number(match[1]) : NaN;
  };
  return {
    rss: value('process_resident_memory_bytes'),
    heapUsed: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
    heapAfterGc: value('nodejs_heap_used_after_major_gc_bytes'),
    youngGeneration: spaceTotal('new'),
    majorGcs: value('nodejs_major_gcs'),
    loopP99: value('nodejs_eventloop_lag_p99_seconds'),
  };
}

/** Asks each app for a heap snapshot (SIGWINCH) and waits until each has written it. @param {string} label */
async function snapshotAll(label) {
  const dir = /** @type {string} */ (snapshotDir);
  for (const [name, app] of Object.entries(apps)) {
    const before = new Set(fs.readdirSync(dir));
    const startedAt = Date.now();
    process.kill(/** @type {number} */ (app.pid), 'SIGWINCH');
    // The snapshot is written on the app's main thread: it answers HTTP again once the file is complete.
    let file;
    for (;;) {
      await sleep(500);
      file = fs.readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
      if (file) {
        try {
          if ((await fetch(`${app.url}/health/live`)).ok) break;
        } catch {}
      }
      if (Date.now() - startedAt > 300_000) throw new Error(`${name} wrote no heap snapshot in 5 minutes`);
    }
    const target = path.join(dir, `${name}-${label.replace(/\W+/g, '-')}.heapsnapshot`);
    fs.renameSync(path.join(dir, file), target);
    console.log(
      `[soak] heap snapshot of ${name} (${label}) in ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${target}`,
    );
  }
}

/** @returns {Promise<{ url: string, stop: () => void }>} */
function startSink() {
  const child = spawn(process.execPath, [path.join(repoRoot, 'tools', 'bench', 'sink.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sink exited (${code})`)));
    child.stdout.once('data', (chunk) =>
      resolve({ url: `http://127.0.0.1:${String(chunk).trim()}`, stop: () => child.kill('SIGTERM') }),
    );
  });
}
