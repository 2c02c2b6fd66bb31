import type { LogLevel } from '@leadhooks/config';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Provided by the app's (global) config module. */
export const OBSERVABILITY_SETTINGS = Symbol('OBSERVABILITY_SETTINGS');

export interface ObservabilitySettings {
  /** `app` label on every log line and metric. */
  app: string;
  level: LogLevel;
  format: LogFormat;
  /** Serve /metrics on this port only (METRICS_PORT); null: on the app's own port, beside its API. */
  metricsPort: number | null;
  /** Where the metrics port listens (the app's HOST). */
  metricsHost: string;
}
