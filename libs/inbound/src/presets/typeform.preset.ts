import type { InboundPreset } from './inbound-preset.js';

/**
 * Typeform's `form_response` webhook: answers[] matched to definition.fields[] by field id. The e-mail and phone
 * questions give `email` and `phone`; a short-text question whose title mentions a name gives `name`; the first
 * long-text answer gives `message`; a hidden field `page_url` gives `page_url`. Every other answer goes to `extra`
 * under its field ref (choices as their labels), with the hidden fields and the score. The response token is the
 * submission id, so Typeform's retries never make a second lead.
 */
export const TYPEFORM_PRESET: InboundPreset = {
  id: 'typeform',
  label: 'Typeform',
  docs: 'https://www.typeform.com/developers/webhooks/example-payload/',
  notes:
    'Connect → Webhooks → Add a webhook with this URL. To require signatures, set the same secret in Typeform (Edit → Secret) and on this source.',
  signature: 'typeform',
  mapping: `(
  $response := body.form_response;
  $definitions := $response.definition.fields;
  $answers := $response.answers;
  $titleOf := function($answer) { $definitions[id = $answer.field.id].title };
  $keyOf := function($answer) {(
    $ref := $answer.field.ref ? $answer.field.ref : $definitions[id = $answer.field.id].ref;
    $substring($ref ? $ref : $answer.field.id, 0, 100)
  )};
  $clip := function($v) { $type($v) = "string" ? $substring($v, 0, 2000) : $v };
  $valueOf := function($answer) {(
    $v := $answer.type = "choice" ? ($answer.choice.label ? $answer.choice.label : $answer.choice.other)
      : $answer.type = "choices" ? $append($answer.choices.labels, $answer.choices.other)
      : $lookup($answer, $answer.type);
    $type($v) = "object" ? $string($v) : $type($v) = "array" ? $v : $clip($v)
  )};
  $email := $answers[type = "email"][0];
  $phone := $answers[type = "phone_number"][0];
  $message := $answers[field.type = "long_text"][0];
  $name := $answers[type = "text" and $contains($lowercase($string($titleOf($))), "name")][0];
  $used := [$email, $phone, $message, $name].field.id;
  {
    "name": $name.text,
    "email": $email.email,
    "phone": $phone.phone_number,
    "message": $message.text,
    "page_url": $response.hidden.page_url,
    "form_type": $response.definition.title,
    "extra": $merge([
      $answers[$not(field.id in $used)].{ $keyOf($): $valueOf($) },
      $sift($response.hidden, function($v, $k) { $k != "page_url" }),
      $exists($response.calculated.score) ? { "score": $response.calculated.score } : {}
    ]),
    "idempotency_key": $response.token
  }
)`,
};
