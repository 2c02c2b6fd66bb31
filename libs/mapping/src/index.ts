export * from './mapping-engine.js';
export * from './mapping-error.js';
export * from './mapping-limits.js';
export * from './mapping-syntax.js';
