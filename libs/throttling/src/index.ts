export * from './token-bucket-limiter.js';
export * from './keyed-token-buckets.js';
export * from './delivery-slots.js';
export * from './keyed-concurrency-gate.js';
