// @ts-check
// What both chaos scenarios start and clean up: a receiver process of their own, and the run's database.
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { repoRoot } from '../infra/paths.mjs';

/**
 * A receiver script of tools/chaos (it prints its port) as its own process, killed when this one exits.
 * @param {string} script e.g. 'flaky-receiver.mjs'
 * @returns {Promise<{ url: string, stop: () => void }>}
 */
export function startReceiver(script) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'tools', 'chaos', script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`receiver exited (${code})`)));
    child.stdout.once('data', (chunk) =>
      resolve({ url: `http://127.0.0.1:${String(chunk).trim()}`, stop: () => child.kill('SIGTERM') }),
    );
  });
}

/** Drops the run's database (DATABASE_URL's), connected through the server's `postgres` database. @param {NodeJS.ProcessEnv} env */
export async function dropRunDatabase(env) {
  const server = new URL(/** @type {string} */ (env.DATABASE_URL));
  const name = server.pathname.slice(1);
  server.pathname = '/postgres';
  const db = new pg.Client({ connectionString: server.toString() });
  await db.connect();
  await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await db.end();
}
