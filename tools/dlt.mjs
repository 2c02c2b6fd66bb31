// @ts-check
// `npm run dlt -- …`: builds the dispatcher if needed (Nx cache makes this instant) and runs its DLT CLI.
// Without DATABASE_URL / KAFKA_BROKERS it talks to the local stack of `npm start` (tools/infra).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureInfra } from './infra/infra.mjs';
import { repoRoot } from './infra/paths.mjs';

const build = spawnSync('nx', ['run', '@leadhooks/zapier-dispatcher:build', '--outputStyle=static'], {
  cwd: repoRoot,
  encoding: 'utf8',
});
if (build.status !== 0) {
  process.stderr.write(`${build.stdout}\n${build.stderr}\n[dlt] build failed\n`);
  process.exit(1);
}
const env = { ...process.env };
if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
  const infra = await ensureInfra({ purpose: 'stack', log: () => undefined });
  env.DATABASE_URL ??= infra.databaseUrl;
  env.KAFKA_BROKERS ??= infra.kafkaBrokers;
  process.stderr.write(
    `[dlt] using the local stack (${withoutPassword(env.DATABASE_URL)}, ${env.KAFKA_BROKERS})\n`,
  );
}
/** @param {string} url */
function withoutPassword(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<database url>';
  }
}

const cli = path.join(repoRoot, 'apps', 'zapier-dispatcher', 'dist', 'cli', 'dlt.js');
const result = spawnSync(
  process.execPath,
  ['--disable-warning=TimeoutNegativeWarning', cli, ...process.argv.slice(2)],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
