export * from './metrics-registry.js';
export * from './metrics.controller.js';
export * from './observability.module.js';
export * from './metrics-server.js';
export * from './observability.settings.js';
