export * from './outbox-relay.service.js';
export * from './outbox-relay.settings.js';
export * from './outbox-wakeup.service.js';
export * from './outbox.module.js';
export * from './wake-signal.js';
