import type { InboundPreset } from './inbound-preset.js';

/**
 * Any tool that can post a flat form or JSON object: fields named like intake's (`name`, `email`, `phone`,
 * `message`, `page_url`, `lead_source`, `form_type`) are lead fields, every other top-level field is kept in
 * `extra`, and an `idempotency_key` field (or `Idempotency-Key` header) is the submission id. The starting point for
 * a mapping of your own.
 */
export const CUSTOM_PRESET: InboundPreset = {
  id: 'custom',
  label: 'Custom (flat JSON or form)',
  docs: 'https://docs.jsonata.org/overview',
  notes:
    "Post JSON, urlencoded or multipart. To require signatures, send X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body> with this source's secret.",
  signature: 'hmac_sha256_hex',
  mapping: `{
  "name": body.name,
  "email": body.email,
  "phone": body.phone,
  "message": body.message,
  "page_url": body.page_url,
  "lead_source": body.lead_source,
  "form_type": body.form_type,
  "extra": $sift(body, function($v, $k) {
    $not($k in ["name", "email", "phone", "message", "page_url", "lead_source", "form_type", "idempotency_key"])
  }),
  "idempotency_key": body.idempotency_key ? body.idempotency_key : headers."idempotency-key"
}`,
};
