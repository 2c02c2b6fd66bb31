// @ts-check
// `npm test`: the whole check, as CI runs it: formatting, the tools' lint and types, then every project's lint,
// typecheck and tests (unit and integration on real Postgres + Kafka) through Nx.
import { spawnSync } from 'node:child_process';

/** @param {string} label @param {string} command @param {string[]} args */
function step(label, command, args) {
  console.log(`\n[test] ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[test] ${label} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

step('formatting', 'prettier', ['--check', '--log-level=warn', '.']);
step('tools lint', 'eslint', ['--max-warnings=0', 'tools']);
step('tools types', 'tsc', ['-p', 'tools/tsconfig.json']);
step('tools tests', 'node', ['--test', 'tools/**/*.test.mjs']);
step('images follow the Nx graph', 'node', ['tools/docker/check-images.mjs']);
step('projects', 'nx', [
  'run-many',
  '-t',
  'lint',
  'typecheck',
  'test',
  '--parallel=1',
  '--outputStyle=static',
  ...process.argv.slice(2),
]);
