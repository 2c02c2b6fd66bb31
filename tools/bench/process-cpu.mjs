// @ts-check
// Where a benchmark's CPU goes, process by process, from Linux's /proc (NaN or empty where it is absent).
import fs from 'node:fs';

/** CPU time (user + system) a process has used, in ms (clock ticks of 10 ms). @param {number | undefined} pid */
export function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of a process and of every process under it, in ms: what an app costs when it does part of its work in
 * child processes (the mapping engine's workers). Children already gone count through their parent's cutime/cstime.
 * @param {number | undefined} pid
 */
export function treeCpuMs(pid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  /** @type {Map<number, number>} */
  const own = new Map();
  let entries = /** @type {string[]} */ ([]);
  try {
    entries = fs.readdirSync('/proc');
  } catch {}
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      const child = Number(entry);
      const parent = Number(fields[1]);
      // utime + stime + cutime + cstime (children reaped by it)
      own.set(
        child,
        (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10,
      );
      children.set(parent, [...(children.get(parent) ?? []), child]);
    } catch {}
  }
  if (pid === undefined || !own.has(pid)) return NaN;
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const next = /** @type {number} */ (stack.pop());
    total += own.get(next) ?? 0;
    stack.push(...(children.get(next) ?? []));
  }
  return total;
}

/**
 * CPU time of every local process that matches, by pid (Kafka and Postgres run outside the benchmark; Postgres has
 * a process per connection).
 * @param {(comm: string, cmdline: string) => boolean} match
 * @returns {Map<number, number>}
 */
export function cpuByPid(match) {
  const found = new Map();
  let entries = /** @type {string[]} */ ([]);
  try {
    entries = fs.readdirSync('/proc');
  } catch {}
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (match(comm, cmdline)) found.set(Number(entry), cpuMs(Number(entry)));
    } catch {}
  }
  return found;
}

/** CPU used between two cpuByPid snapshots (a process that started in between counts from zero). @param {Map<number, number>} before @param {Map<number, number>} after */
export const cpuBetween = (before, after) =>
  after.size ? [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0) : NaN;

/** Postgres's server processes. @param {string} comm */
export const isPostgres = (comm) => comm === 'postgres';

/** The Kafka broker's JVM. @param {string} _comm @param {string} cmdline */
export const isKafka = (_comm, cmdline) => cmdline.includes('kafka.Kafka');

/** Jiffies the machine's cores spent in all, and idle (with I/O wait), from /proc/stat. */
export function machineTicks() {
  try {
    const fields = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { total: fields.reduce((sum, n) => sum + n, 0), idle: fields[3] + (fields[4] ?? 0) };
  } catch {
    return { total: NaN, idle: NaN };
  }
}

/** Share of all cores busy between two machineTicks readings. @param {{ total: number, idle: number }} from @param {{ total: number, idle: number }} to */
export const busyShare = (from, to) => 1 - (to.idle - from.idle) / (to.total - from.total);

/** Resident memory of a process in MB. @param {number | undefined} pid */
export function rssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
