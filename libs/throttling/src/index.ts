export * from './token-bucket-limiter.js';
