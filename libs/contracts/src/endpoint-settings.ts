/**
 * How an endpoint proves a request is ours (SPEC §11):
 * - `standard_webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature` (v1, one per active secret);
 * - `secret_header`: `X-Webhook-Secret: <secret>`, what Make and n8n can compare;
 * - `hmac_sha256_hex`: `X-Webhook-Signature: <signature_prefix><hex HMAC-SHA256 of the raw body, keyed with the
 *   secret>`, the prefix `sha256=` by default or `""` (a bare hex digest, what the integration guide's receivers
 *   compare).
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

/** What `hmac_sha256_hex` may put before the hex digest (SPEC §14); `sha256=` unless the endpoint says otherwise. */
export const SIGNATURE_PREFIXES = ['sha256=', ''] as const;
export type SignaturePrefix = (typeof SIGNATURE_PREFIXES)[number];
export const DEFAULT_SIGNATURE_PREFIX: SignaturePrefix = 'sha256=';

/** Attempts per retry cycle an endpoint may ask for: the first try plus up to the five tiers (SPEC §14). */
export const MAX_ATTEMPTS_MIN = 1;
export const MAX_ATTEMPTS_MAX = 6;
export const DEFAULT_MAX_ATTEMPTS = 6;

/** Auth modes whose receiver compares one secret value: a new secret is staged, and sent once activated. */
export const TWO_STEP_ROTATION_MODES: readonly AuthMode[] = ['secret_header', 'hmac_sha256_hex'];

/** Longest endpoint description. */
export const ENDPOINT_DESCRIPTION_MAX = 500;
