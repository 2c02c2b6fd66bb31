// @ts-check
// Runs a command after making sure dependencies are installed, so `npm start` / `npm test` work on a fresh
// clone. The project pins Node 24 through the `node` package: once installed, node_modules/.bin/node is first
// on the PATH npm gives scripts, so everything after this runs on Node 24 whatever the machine's node is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  console.error('[bootstrap] installing dependencies (npm install; see .ci/run for why not npm ci) ...');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const bin = path.join(root, 'node_modules', '.bin');
// kafkajs schedules negative timeouts on purpose (an expired deadline); Node 24 warns about each one.
const nodeOptions = [process.env.NODE_OPTIONS, '--disable-warning=TimeoutNegativeWarning']
  .filter(Boolean)
  .join(' ');
const env = {
  ...process.env,
  PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
  NODE_OPTIONS: nodeOptions,
};
const [command, ...args] = process.argv.slice(2);
const result = spawnSync(command, args, { cwd: process.cwd(), stdio: 'inherit', env });
process.exit(result.status ?? 1);
