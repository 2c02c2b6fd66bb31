/**
 * How an endpoint proves a request is ours (SPEC §11):
 * - `standard_webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature` (v1, one per active secret);
 * - `secret_header`: `X-Webhook-Secret: <secret>`, what Make and n8n can compare;
 * - `hmac_sha256_hex`: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`.
 */
export const AUTH_MODES = ['standard_webhooks', 'secret_header', 'hmac_sha256_hex'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** `manual`: configured by an admin; `zapier_rest_hook`: subscribed by a Zap (removed when it answers 410). */
export const ENDPOINT_KINDS = ['manual', 'zapier_rest_hook'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** The endpoint that carries the site's §10 `zapier` object; its lead.created delivery is mirrored on the lead. */
export const ZAPIER_ENDPOINT_NAME = 'zapier';

/** Per-endpoint request timeout bounds (ms). */
export const ENDPOINT_TIMEOUT_MIN_MS = 1_000;
export const ENDPOINT_TIMEOUT_MAX_MS = 30_000;

/** Request headers every delivery carries besides the body and its auth headers. */
export const WEBHOOK_EVENT_HEADER = 'x-webhook-event';
export const WEBHOOK_DELIVERY_ID_HEADER = 'x-webhook-delivery-id';
export const WEBHOOK_SECRET_HEADER = 'x-webhook-secret';
export const WEBHOOK_SIGNATURE_HEADER = 'x-webhook-signature';
