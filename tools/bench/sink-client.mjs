// @ts-check
// Starts the benchmarks' webhook receiver (sink.mjs) as its own process and reads what it saw.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** @typedef {{ requests: number, duplicates: number, firstAt: number, lastAt: number, ages: number[] }} SinkStats */

/** @returns {Promise<{ url: string, pid: number, stop: () => void }>} */
export function startSink() {
  const child = spawn(
    process.execPath,
    [path.join(path.dirname(fileURLToPath(import.meta.url)), 'sink.mjs')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sink exited (${code})`)));
    child.stdout.once('data', (chunk) =>
      resolve({
        url: `http://127.0.0.1:${String(chunk).trim()}`,
        pid: /** @type {number} */ (child.pid),
        stop: () => child.kill('SIGTERM'),
      }),
    );
  });
}

/** Everything the sink saw since it was last cleared. @param {string} sinkUrl @returns {Promise<SinkStats>} */
export const sinkStats = async (sinkUrl) =>
  /** @type {any} */ (await (await fetch(`${sinkUrl}/stats`)).json());

/**
 * First deliveries that arrived at or after `since` (epoch ms), as [arrived at, lead's age then] pairs, and the count
 * of all first deliveries so far.
 * @param {string} sinkUrl @param {number} since
 * @returns {Promise<{ delivered: number, duplicates: number, arrivals: Array<[number, number]> }>}
 */
export const sinkArrivals = async (sinkUrl, since) =>
  /** @type {any} */ (await (await fetch(`${sinkUrl}/arrivals?since=${since}`)).json());

/** @param {string} label @param {() => Promise<boolean>} done @param {number} timeoutMs */
export async function waitFor(label, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await sleep(100);
  }
}
