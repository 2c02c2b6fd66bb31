export * from './consumed-message.js';
export * from './due-time-kafka.server.js';
export * from './event-publisher.js';
export * from './kafka-client.js';
export * from './partition-schedule.js';
export * from './topic-provisioner.js';
