import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger, reduced to what is safe to print: a failed query's first line and the error, never its
 * parameters (they hold lead data: names, emails, messages). Slow queries are warned about the same way.
 */
export class SafeQueryLogger implements TypeOrmLogger {
  private readonly out = new NestLogger('Postgres');

  constructor(private readonly logAll = false) {}

  logQuery(query: string): void {
    if (this.logAll) this.out.debug(firstLine(query));
  }

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    const code = typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
    this.out.warn(
      `Query failed${typeof code === 'string' ? ` (${code})` : ''}: ${message} [${firstLine(query)}]`,
    );
  }

  logQuerySlow(time: number, query: string): void {
    this.out.warn(`Slow query (${time} ms): ${firstLine(query)}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.out.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.out.warn(String(message));
  }
}

function firstLine(query: string): string {
  const line = query.trim().split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
