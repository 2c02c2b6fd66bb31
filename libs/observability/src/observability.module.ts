import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { LogLevel } from '@leadhooks/config';
import { createMetricsRegistry } from './metrics-registry.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsServer } from './metrics-server.js';
import { OBSERVABILITY_SETTINGS, type ObservabilitySettings } from './observability.settings.js';

const PINO_LEVELS: Record<LogLevel, string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Credentials never reach a log line, whatever a caller passes: hook URLs and secrets (code logs masked URLs,
 * `maskUrl`, and ids; this catches the rest), bearer keys, connection strings.
 */
export const REDACTED_PATHS = [
  'secret',
  '*.secret',
  'secrets',
  'webhookUrl',
  '*.webhookUrl',
  'webhook_url',
  '*.webhook_url',
  'url',
  '*.url',
  'password',
  '*.password',
  'databaseUrl',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["webhook-signature"]',
  'headers["x-webhook-secret"]',
];

/**
 * What a line written inside a request says about it: its id, method and path. Never the query string (a search
 * by `?email=` would put the email in every line), the headers or the client's address: personal data stays out of
 * logs (docs/privacy.md).
 */
export function requestForLogs(req: {
  id?: unknown;
  method?: string;
  url?: string;
}): Record<string, unknown> {
  return { id: req.id, method: req.method, path: req.url?.split('?')[0] };
}

/**
 * JSON lines to stdout without blocking the event loop: pino's default writes each line with a synchronous
 * write(2) on the event loop, and the dispatcher logs a line per delivery at the default level. Lines written while
 * a write is under way are joined into the next one; pino flushes what is left when the process exits. If stdout
 * stops draining, lines beyond 16 MiB are dropped rather than the process blocking or growing without bound.
 */
function asyncStdout(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 });
}

/**
 * Logs (pino through nestjs-pino: one JSON object per line with the app, level, time and whatever ids the caller
 * passed; `pretty` for local development) and the Prometheus registry with `/metrics` (on the app's port, or on
 * METRICS_PORT alone).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [OBSERVABILITY_SETTINGS],
      useFactory: (settings: ObservabilitySettings) => {
        const options = {
          level: PINO_LEVELS[settings.level],
          base: { app: settings.app },
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          serializers: { req: requestForLogs },
          // Requests are counted and timed in metrics; a line per form post would cost more than the post.
          autoLogging: false,
        };
        if (settings.format === 'pretty')
          return {
            pinoHttp: {
              ...options,
              transport: { target: 'pino-pretty', options: { singleLine: true, colorize: true } },
            },
          };
        return {
          pinoHttp: [
            { ...options, formatters: { level: (label: string) => ({ level: label }) } },
            asyncStdout(),
          ],
        };
      },
    }),
  ],
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      inject: [OBSERVABILITY_SETTINGS],
      useFactory: (settings: ObservabilitySettings) => createMetricsRegistry(settings.app),
    },
    MetricsServer,
  ],
  exports: [Registry],
})
export class ObservabilityModule {}
