// @ts-check
// `npm run bench`: both benchmarks in one run, one table: each figure beside its raw baseline from the same run
// and the ratio; also written as JSON (`--out`, default .cache/bench/<time>.json) to compare runs.
//   npm run bench -- --out bench.json
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cacheDir, repoRoot } from '../infra/paths.mjs';
import { fmt, machineLine, printTable } from './bench-stack.mjs';

const { values: args } = parseArgs({ options: { out: { type: 'string' } } });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadhooks-bench-'));

/** @param {string} script @param {string[]} extra @returns {any} */
function run(script, extra = []) {
  const json = path.join(dir, `${path.basename(script, '.mjs')}.json`);
  const result = spawnSync(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      path.join(repoRoot, 'tools', 'bench', script),
      '--json',
      json,
      ...extra,
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status})`);
  return JSON.parse(fs.readFileSync(json, 'utf8'));
}

const intake = run('intake.mjs');
const dispatch = run('dispatch.mjs');
const ratio = (/** @type {number} */ a, /** @type {number} */ b) => fmt(a / b, 2);
const rows = [
  [
    'intake leads/s (leads-api + relay)',
    fmt(intake.intake.perSecond, 0),
    `${fmt(intake.rawTransaction.perSecond, 0)} (raw pg transaction)`,
    ratio(intake.intake.perSecond, intake.rawTransaction.perSecond),
  ],
  [
    'intake p99 ms',
    fmt(intake.intake.p99),
    `${fmt(intake.rawTransaction.p99)} (raw pg transaction)`,
    ratio(intake.intake.p99, intake.rawTransaction.p99),
  ],
  [
    `burst deliveries/s (${dispatch.burst.leads} queued)`,
    fmt(dispatch.burst.deliveriesPerSecond, 0),
    `${fmt(dispatch.sink.perSecond, 0)} (the sink alone)`,
    ratio(dispatch.burst.deliveriesPerSecond, dispatch.sink.perSecond),
  ],
  [
    `end to end p50 ms at ${dispatch.endToEnd.rate}/s`,
    fmt(dispatch.endToEnd.p50, 0),
    `${fmt(dispatch.sink.p50)} (one request to the sink)`,
    ratio(dispatch.endToEnd.p50, dispatch.sink.p50),
  ],
  [
    `end to end p99 ms at ${dispatch.endToEnd.rate}/s`,
    fmt(dispatch.endToEnd.p99, 0),
    `${fmt(dispatch.sink.p99)} (one request to the sink)`,
    ratio(dispatch.endToEnd.p99, dispatch.sink.p99),
  ],
  [
    'duplicate POSTs (burst / end to end)',
    `${dispatch.burst.duplicates} / ${dispatch.endToEnd.duplicates}`,
    '0',
    '-',
  ],
];
console.log(`\nleadhooks benchmark — ${machineLine()}, ${new Date().toISOString()}\n`);
printTable(['measure', 'leadhooks', 'raw baseline (same run)', 'ratio'], rows);
console.log(
  '\ntargets (SPEC §9): intake >= 2000/s with p99 < 50 ms; >= 2000 deliveries/s; end to end p50 < 50 ms, p99 < 250 ms at 500/s',
);
const out =
  args.out ?? path.join(cacheDir, 'bench', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify({ at: new Date().toISOString(), machine: machineLine(), intake, dispatch }, null, 2),
);
console.log(`results written to ${path.relative(process.cwd(), out)}`);
