export * from './metrics-registry.js';
export * from './metrics.controller.js';
export * from './observability.module.js';
