import { ConsoleLogger } from '@nestjs/common';
import { enabledLogLevels, type LogLevel } from '@leadhooks/config';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The app logger: one JSON object per line in production (level, time, context, message and any ids the
 * caller passed), colourful text for local development.
 */
export function createAppLogger(level: LogLevel, format: LogFormat, prefix: string): ConsoleLogger {
  return new ConsoleLogger({
    prefix,
    json: format === 'json',
    colors: format === 'pretty',
    logLevels: enabledLogLevels(level),
  });
}
