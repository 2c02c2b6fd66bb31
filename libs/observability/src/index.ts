export * from './app-logger.js';
export * from './metrics-registry.js';
export * from './metrics.controller.js';
