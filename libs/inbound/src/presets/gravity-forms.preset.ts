import type { InboundPreset } from './inbound-preset.js';

/**
 * Gravity Forms' Webhooks Add-On, request body "All Fields" (the entry object: field values keyed by field id, a
 * Name field's inputs as `<id>.3` first and `<id>.6` last) or "Select Fields" with keys named `email`, `phone`, ….
 * With all fields the preset recognises the values: an e-mail address, a phone number, a Name field's inputs, a
 * multi-line or long text as the message; every other value goes to `extra` as `field <id>`. The entry's page is
 * the page URL and its id the submission id. Edit the field ids to your form's to be exact.
 */
export const GRAVITY_FORMS_PRESET: InboundPreset = {
  id: 'gravity_forms',
  label: 'Gravity Forms',
  docs: 'https://docs.gravityforms.com/triggering-webhooks-form-submissions/',
  notes:
    "Form Settings → Webhooks → Add New: Request URL this URL, method POST, format JSON, body All Fields. To require a secret, add a request header X-Webhook-Secret with the same value as this source's secret.",
  signature: 'secret_header',
  mapping: `(
  $entry := body;
  $named := $exists($entry.email) or $exists($entry.phone);
  $ids := $keys($entry)[$contains($, /^\\d+(\\.\\d+)?$/)];
  $value := function($id) { $id ? $lookup($entry, $id) };
  $filled := $ids[$string($value($)) != ""];
  $emailId := $filled[$contains($string($value($)), /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/)][0];
  $firstId := $filled[$contains($, /\\.3$/)][0];
  $lastId := $filled[$contains($, /\\.6$/)][0];
  $phoneId := $filled[$not($contains($, /\\./)) and $contains($string($value($)), /^\\+?[0-9 ().\\/-]{6,}$/)][0];
  $messageId := $filled[$not($ in [$emailId, $phoneId]) and ($contains($string($value($)), /\\n/) or $length($string($value($))) > 80)][0];
  $used := [$emailId, $firstId, $lastId, $phoneId, $messageId];
  $named ? {
    "name": $entry.name,
    "email": $entry.email,
    "phone": $entry.phone,
    "message": $entry.message,
    "page_url": $entry.page_url ? $entry.page_url : $entry.source_url,
    "form_type": $entry.form_type,
    "extra": $sift($entry, function($v, $k) {
      $not($k in ["name", "email", "phone", "message", "page_url", "source_url", "form_type", "id", "entry_id"])
    }),
    "idempotency_key": $entry.entry_id ? $entry.entry_id : $entry.id
  } : {
    "name": $join([$value($firstId), $value($lastId)][$ != ""], " "),
    "email": $value($emailId),
    "phone": $value($phoneId),
    "message": $value($messageId),
    "page_url": $entry.source_url,
    "form_type": $entry.form_id ? "form " & $entry.form_id,
    "extra": $merge($filled[$not($ in $used)].{ "field " & $: $substring($string($value($)), 0, 2000) }),
    "idempotency_key": $entry.id
  }
)`,
};
