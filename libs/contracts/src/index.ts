export * from './headers.js';
export * from './lead-created.event.js';
export * from './lead-snapshot.js';
export * from './retry-plan.js';
export * from './topics.js';
export * from './zapier-payload.js';
