import type { InboundPreset } from './inbound-preset.js';

/**
 * Tally's `FORM_RESPONSE` webhook: data.fields[] of {key, label, type, value}. The e-mail, phone and long-text
 * fields give `email`, `phone` and `message`; a text field whose label mentions a name gives `name`; a hidden field
 * `page_url` gives `page_url`. Every other answered field goes to `extra` under its label, choices as their option
 * texts and files as their URLs (Tally's per-option checkbox booleans are left out: the checkbox field lists them).
 * The response id is the submission id.
 */
export const TALLY_PRESET: InboundPreset = {
  id: 'tally',
  label: 'Tally',
  docs: 'https://tally.so/help/webhooks',
  notes:
    'Integrations → Webhooks → Connect with this URL. To require signatures, add a signing secret in Tally and set the same secret on this source.',
  signature: 'tally',
  mapping: `(
  $fields := body.data.fields;
  $clip := function($v) { $type($v) = "string" ? $substring($v, 0, 2000) : $v };
  $valueOf := function($field) {(
    $v := $field.value;
    $exists($field.options) and $type($v) = "array" ? $field.options[id in $v].text
      : $type($v) = "array" ? $v.($type($) = "object" ? ($exists(url) ? url : $string($)) : $)
      : $type($v) = "object" ? $string($v)
      : $clip($v)
  )};
  $answered := $fields[$exists(value) and value != null and $not(type = "CHECKBOXES" and $type(value) = "boolean")];
  $email := $answered[type = "INPUT_EMAIL"][0];
  $phone := $answered[type = "INPUT_PHONE_NUMBER"][0];
  $message := $answered[type = "TEXTAREA"][0];
  $name := $answered[type = "INPUT_TEXT" and $contains($lowercase(label), "name")][0];
  $pageUrl := $answered[type = "HIDDEN_FIELDS" and label = "page_url"][0];
  $used := [$email, $phone, $message, $name, $pageUrl].key;
  {
    "name": $name.value,
    "email": $email.value,
    "phone": $phone.value,
    "message": $message.value,
    "page_url": $pageUrl.value,
    "form_type": body.data.formName,
    "extra": $merge($answered[$not(key in $used)].{ $substring(label, 0, 100): $valueOf($) }),
    "idempotency_key": body.data.responseId
  }
)`,
};
