// @ts-check
// Small process/network helpers for the infra scripts: port probes, pid checks, waits, a file lock.
import net from 'node:net';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** @param {string} host @param {number} port @param {number} [timeoutMs] */
export function isPortOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (/** @type {boolean} */ open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Thrown from a waitFor check to stop waiting at once (e.g. the process died). */
export class FatalWaitError extends Error {}

/**
 * Polls `check` until it returns a truthy value or the deadline passes.
 * @template T
 * @param {string} what
 * @param {() => Promise<T | undefined | false>} check
 * @param {{ timeoutMs: number, intervalMs?: number, onTimeout?: () => string }} options
 * @returns {Promise<T>}
 */
export async function waitFor(what, check, { timeoutMs, intervalMs = 250, onTimeout }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if (error instanceof FatalWaitError)
        throw new Error(`${what} failed: ${error.message}${onTimeout ? `\n${onTimeout()}` : ''}`);
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const hint = onTimeout ? `\n${onTimeout()}` : '';
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}${hint}`);
}

/** @param {number} pid @param {number} timeoutMs */
export async function stopPid(pid, timeoutMs = 20_000) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Cross-process mutex on a directory (mkdir is atomic). Stale locks (holder dead) are broken.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withLock(lockDir, fn) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(`${lockDir}/pid`, String(process.pid));
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
      const holder = Number(readText(`${lockDir}/pid`));
      if (holder && !isAlive(holder)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`Could not take the infra lock ${lockDir} (held by pid ${holder})`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** @param {string} file */
export function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** @param {string} file @param {number} [lines] */
export function tail(file, lines = 30) {
  return readText(file).split('\n').slice(-lines).join('\n');
}
