'use strict';

/**
 * The lead's fields as a Zap user sees them: the key the API uses, the label and help text shown in the Zap
 * editor. Errors from the API name the key; `labelOf` turns it back into the words the user saw.
 */
const LEAD_FIELDS = [
  {
    key: 'name',
    label: 'Name',
    helpText: "The person's full name, as they would write it.",
  },
  {
    key: 'email',
    label: 'Email',
    helpText: 'Their email address. A lead needs an email or a phone (or both).',
  },
  {
    key: 'phone',
    label: 'Phone',
    helpText: 'Their phone number, in any format (e.g. +44 20 7946 0000). A lead needs an email or a phone.',
  },
  {
    key: 'message',
    label: 'Message',
    helpText: 'What they wrote, e.g. the message box of a contact form.',
  },
  {
    key: 'page_url',
    label: 'Page URL',
    helpText: 'The page the lead came from (a full URL starting with http:// or https://).',
  },
  {
    key: 'lead_source',
    label: 'Lead Source',
    helpText: 'Where the lead came from (e.g. "facebook-ads"). Left empty, it is recorded as "zapier".',
  },
  {
    key: 'form_type',
    label: 'Form Type',
    helpText: 'Which kind of form it was (e.g. "contact", "quote").',
  },
];

const EXTRA_FIELD = {
  key: 'extra',
  label: 'Other Fields',
  dict: true,
  helpText:
    'Any other fields to keep with the lead (e.g. "company" → "Acme"). They are stored as they are and sent to your ' +
    'other Zaps and webhooks as top-level fields.',
};

const LABELS = Object.fromEntries(
  [...LEAD_FIELDS, EXTRA_FIELD, { key: 'id', label: 'Lead ID' }].map((field) => [field.key, field.label]),
);

/** `email` → `Email`; `extra.company` or an unknown key → itself, as typed in "Other Fields". */
function labelOf(key) {
  if (LABELS[key]) return LABELS[key];
  if (key.startsWith('extra.')) return `${LABELS.extra}: ${key.slice('extra.'.length)}`;
  return key;
}

/** The fields the user filled in, as the API's body: known fields at the top, "Other Fields" flattened beside them. */
function leadBody(inputData) {
  const body = {};
  for (const { key } of LEAD_FIELDS) {
    const value = inputData[key];
    if (value !== undefined && value !== null && value !== '') body[key] = value;
  }
  const extra = inputData.extra || {};
  for (const [key, value] of Object.entries(extra)) if (!(key in body) && key !== '') body[key] = value;
  return body;
}

module.exports = { LEAD_FIELDS, EXTRA_FIELD, labelOf, leadBody };
