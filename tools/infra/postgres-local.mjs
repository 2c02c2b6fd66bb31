// @ts-check
// Finds or starts a PostgreSQL server on this machine: a server already on 127.0.0.1:5432
// (trust or postgres/postgres), else an embedded PostgreSQL kept in .cache/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { infraDir, logsDir, repoRoot } from './paths.mjs';
import { FatalWaitError, isAlive, readText, stopPid, tail, waitFor } from './process-tools.mjs';

const embeddedPort = Number(process.env.LEADHOOKS_EMBEDDED_PG_PORT ?? 54329);
const dir = path.join(infraDir, 'postgres');
const readyFile = path.join(dir, 'runner.pid');
const logFile = path.join(logsDir, 'postgres.log');

/** @param {string} url */
async function canConnect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Server-level URL (database `postgres`) of a usable local server, starting one if needed. */
export async function startLocalPostgres(log = console.error) {
  if (process.env.LEADHOOKS_POSTGRES !== 'embedded') {
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/postgres',
      'postgres://postgres:postgres@127.0.0.1:5432/postgres',
    ]) {
      if (await canConnect(url)) {
        log('[infra] using the PostgreSQL server on 127.0.0.1:5432');
        return url;
      }
    }
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${embeddedPort}/postgres`;
  const pid = Number(readText(readyFile));
  if (pid && isAlive(pid) && (await canConnect(url))) {
    log(`[infra] embedded PostgreSQL already running (pid ${pid}) on port ${embeddedPort}`);
    return url;
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  fs.rmSync(readyFile, { force: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'tools', 'infra', 'embedded-postgres-runner.mjs'),
      path.join(dir, 'data'),
      String(embeddedPort),
      readyFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  log(`[infra] starting embedded PostgreSQL (pid ${child.pid}) on port ${embeddedPort}, log ${logFile}`);
  await waitFor(
    'the embedded PostgreSQL to accept connections',
    async () => {
      if (child.pid && !isAlive(child.pid)) throw new FatalWaitError('the embedded PostgreSQL runner exited');
      return fs.existsSync(readyFile) && (await canConnect(url));
    },
    { timeoutMs: 120_000, onTimeout: () => tail(logFile) },
  );
  return url;
}

export async function stopLocalPostgres(log = console.error) {
  const pid = Number(readText(readyFile));
  if (pid && isAlive(pid)) {
    log(`[infra] stopping embedded PostgreSQL (pid ${pid})`);
    await stopPid(pid, 30_000);
  }
}

/** Creates `database` on the server if it does not exist. @param {string} serverUrl @param {string} database */
export async function ensureDatabase(serverUrl, database) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`);
  } finally {
    await client.end();
  }
}

/** @param {string} url @param {string} database */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
