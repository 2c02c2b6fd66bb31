/**
 * A Jotform webhook request, shaped as Jotform documents it ("How to Set Up a Webhook with Jotform",
 * https://www.jotform.com/help/245-how-to-setup-a-webhook-with-jotform/, and the webhook description of the API
 * docs, https://api.jotform.com/docs/): a `multipart/form-data` POST whose top-level parts identify the form and the
 * submission (`formID`, `submissionID`, `formTitle`, `type`, `ip`, `username`, `pretty`, `webhookURL`) and whose
 * `rawRequest` part carries the answers as JSON text keyed by question (`q3_name` as `{first, last}`, `q4_email`, a
 * phone field as `{full}`), as in the help article's PHP example (`json_decode($_REQUEST['rawRequest'])`).
 * `webhookURL` echoes the URL Jotform posts to; tests set it to the source's own URL, as Jotform does.
 */
export function jotformSubmissionParts(webhookUrl: string): Array<[string, string]> {
  const rawRequest = {
    slug: 'submit/203112345678901',
    q3_name: { first: 'Kin', last: 'Lane' },
    q4_email: 'kin@example.com',
    q5_phoneNumber5: { full: '(555) 555-0101' },
    q6_message: 'Please call me back about the spring offer.',
    q7_howDid7: 'A friend',
    event_id: '1716300000000_203112345678901_AbCdEf1',
  };
  return [
    ['formID', '203112345678901'],
    ['submissionID', '5123456789012345678'],
    ['webhookURL', webhookUrl],
    ['ip', '203.0.113.7'],
    ['formTitle', 'Contact Us'],
    [
      'pretty',
      'Name:Kin Lane, E-mail:kin@example.com, Phone Number:(555) 555-0101, Message:Please call me back about the spring offer., How did you hear about us?:A friend',
    ],
    ['username', 'kinlane'],
    ['rawRequest', JSON.stringify(rawRequest)],
    ['type', 'WEB'],
  ];
}
