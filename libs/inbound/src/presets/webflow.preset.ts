import type { InboundPreset } from './inbound-preset.js';

/**
 * Webflow's `form_submission` webhook: payload.data is the form's fields by their names. Fields named like an
 * e-mail, a phone, a message or a name (or first and last name) give those lead fields; the rest go to `extra` by
 * name. The form's name is the form type; the submission id makes Webflow's retries harmless.
 */
export const WEBFLOW_PRESET: InboundPreset = {
  id: 'webflow',
  label: 'Webflow',
  docs: 'https://developers.webflow.com/data/reference/webhooks/events/form-submission',
  notes:
    'Site settings → Apps & integrations → Webhooks → Add webhook, trigger "Form submission", with this URL. To require signatures, set the webhook\'s secret key (or your OAuth app\'s client secret) on this source.',
  signature: 'webflow',
  mapping: `(
  $submission := body.payload;
  $data := $submission.data;
  $names := $keys($data);
  $find := function($pattern) { $names[$contains($, $pattern)][0] };
  $emailKey := $find(/e-?mail/i);
  $phoneKey := $find(/phone|mobile|tel/i);
  $messageKey := $find(/message|comment|enquiry|inquiry/i);
  $nameKey := $find(/^\\s*(full[\\s_-]*)?name\\s*$/i);
  $firstKey := $find(/first[\\s_-]*name/i);
  $lastKey := $find(/last[\\s_-]*name|surname/i);
  $get := function($key) { $key ? $lookup($data, $key) };
  $clip := function($v) { $type($v) = "string" ? $substring($v, 0, 2000) : $v };
  $used := [$emailKey, $phoneKey, $messageKey, $nameKey, $firstKey, $lastKey];
  {
    "name": $nameKey ? $get($nameKey) : $join([$string($get($firstKey)), $string($get($lastKey))][$ != ""], " "),
    "email": $get($emailKey),
    "phone": $get($phoneKey),
    "message": $get($messageKey),
    "page_url": $submission.pageUrl,
    "form_type": $submission.name,
    "extra": $merge($names[$not($ in $used)].{ $substring($, 0, 100): $clip($lookup($data, $)) }),
    "idempotency_key": $submission.id
  }
)`,
};
