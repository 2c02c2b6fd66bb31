import { BadRequestException } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An opaque cursor for newest-first keyset pagination on (time, id). `at` is an ISO timestamp as precise as the
 * column (microseconds for a database clock), so no row is skipped between pages.
 */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** Reads a cursor from a previous page; a 400 naming `cursor` when it is not one. */
export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof at !== 'string' || typeof id !== 'string') throw new Error('bad cursor');
    if (
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/.test(at) ||
      Number.isNaN(Date.parse(at)) ||
      !UUID.test(id)
    )
      throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new BadRequestException({
      message: 'cursor is invalid',
      errors: [{ field: 'cursor', message: 'use next_cursor from a previous page' }],
    });
  }
}
