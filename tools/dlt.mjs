// @ts-check
// `npm run dlt -- …`: builds the dispatcher if needed (Nx cache makes this instant) and runs its DLT CLI.
// Without DATABASE_URL and KAFKA_BROKERS it talks to the local stack of `npm start` (tools/infra); with only one of
// them it refuses (a production database with a local Kafka, or the reverse, would replay into the wrong place).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureInfra } from './infra/infra.mjs';
import { cacheDir, repoRoot } from './infra/paths.mjs';

if (!process.env.DATABASE_URL !== !process.env.KAFKA_BROKERS) {
  const [set, unset] = process.env.DATABASE_URL
    ? ['DATABASE_URL', 'KAFKA_BROKERS']
    : ['KAFKA_BROKERS', 'DATABASE_URL'];
  process.stderr.write(
    `[dlt] ${set} is set but ${unset} is not: set both (a deployment's DLT) or neither (the local stack of npm start)\n`,
  );
  process.exit(2);
}

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
  // The local stack's key (`npm start` keeps it there): replays seal each lead's event under its data key.
  const stackKey = path.join(cacheDir, 'stack', 'data-encryption-key');
  if (!env.DATA_ENCRYPTION_KEY && fs.existsSync(stackKey))
    env.DATA_ENCRYPTION_KEY = fs.readFileSync(stackKey, 'utf8').trim();
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
