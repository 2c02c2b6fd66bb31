export * from './command-usage.js';
export * from './config-error.js';
export * from './duration.js';
export * from './env-reader.js';
export * from './log-level.js';
export * from './published-secrets.js';
