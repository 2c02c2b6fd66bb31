export * from './test-database.js';
export * from './test-kafka.js';
export * from './wait-until.js';
export * from './webhook-receiver.js';
export * from './fixtures.js';
export * from './tcp-proxy.js';
export * from './holding-proxy.js';
export * from './wait-for-group.js';
