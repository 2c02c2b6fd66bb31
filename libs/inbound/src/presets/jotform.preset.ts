import type { InboundPreset } from './inbound-preset.js';

/**
 * Jotform's webhook: a multipart form whose `rawRequest` field holds the answers as JSON text, keyed `q<id>_<name>`.
 * A name field ({first, last}) gives `name`, an e-mail question `email`, a phone field ({area, phone} or {full})
 * `phone`, a question named like a message `message`; every other answer goes to `extra` under its name without the
 * `q<id>_` prefix. The form title is the form type; the submission id makes a resent submission harmless. Jotform
 * does not sign its requests: the URL's token is the credential.
 */
export const JOTFORM_PRESET: InboundPreset = {
  id: 'jotform',
  label: 'Jotform',
  docs: 'https://www.jotform.com/help/245-how-to-setup-a-webhook-with-jotform/',
  notes:
    'Settings → Integrations → WebHooks → paste this URL. Jotform does not sign requests; keep the URL secret.',
  signature: 'none',
  mapping: `(
  $answers := $parseJson(body.rawRequest);
  $questions := $keys($answers)[$contains($, /^q\\d+_/)];
  $label := function($key) { $replace($key, /^q\\d+_/, "") };
  $get := function($key) { $key ? $lookup($answers, $key) };
  $text := function($v) {(
    $type($v) = "object"
      ? ($exists($v.first) or $exists($v.last) ? $join([$v.prefix, $v.first, $v.middle, $v.last, $v.suffix][$ != ""], " ")
        : $exists($v.full) ? $v.full
        : $exists($v.area) or $exists($v.phone) ? $join([$v.country, $v.area, $v.phone][$ != ""], " ")
        : $join($each($v, function($x) { $string($x) })[$ != ""], ", "))
      : $type($v) = "string" ? $substring($v, 0, 2000)
      : $v
  )};
  $isName := function($v) { $type($v) = "object" and ($exists($v.first) or $exists($v.last)) };
  $isPhone := function($key, $v) {
    $contains($key, /phone|mobile|tel/i) or ($type($v) = "object" and ($exists($v.area) or $exists($v.full)))
  };
  $nameKey := $questions[$isName($get($))][0];
  $emailKey := $questions[$contains($label($), /e-?mail/i)][0];
  $phoneKey := $questions[$isPhone($label($), $get($))][0];
  $messageKey := $questions[$contains($label($), /message|comment|question|enquiry|inquiry/i)][0];
  $used := [$nameKey, $emailKey, $phoneKey, $messageKey];
  {
    "name": $text($get($nameKey)),
    "email": $get($emailKey),
    "phone": $text($get($phoneKey)),
    "message": $text($get($messageKey)),
    "form_type": body.formTitle,
    "extra": $merge($questions[$not($ in $used) and $text($get($)) != ""].{ $substring($label($), 0, 100): $text($get($)) }),
    "idempotency_key": body.submissionID
  }
)`,
};
