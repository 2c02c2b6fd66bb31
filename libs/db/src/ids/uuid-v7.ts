import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * Entropy is drawn from the OS in 4 KiB blocks, not per id: a getrandom() call per id showed up as 6% of
 * intake CPU (syscalls are dear on virtual machines). Same source, same quality, fewer calls.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function random(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
}

/**
 * RFC 9562 UUIDv7: 48-bit Unix ms timestamp, then random bits. Time-ordered ids keep the lead
 * and outbox indexes append-mostly. A 12-bit counter keeps ids from one process monotonic within a ms.
 */
export function uuidv7(now = Date.now()): string {
  if (now <= lastMs) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    sequence = random(2).readUInt16BE() & 0x7ff;
  }
  const bytes = Buffer.from(random(16));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
