export * from './address-policy.js';
export * from './standard-webhook-signer.js';
export * from './signing-secrets.js';
export * from './url-mask.js';
export * from './webhook-secret.js';
export * from './webhook-sender.js';
export * from './webhook-url-policy.js';
