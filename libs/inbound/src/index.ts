export * from './inbound-body.js';
export * from './mapped-lead.js';
export * from './mapping-input.js';
export * from './presets/index.js';
export * from './signature-schemes.js';
export * from './storable.js';
