'use strict';

/**
 * A lead as the actions and the search hand it to the next steps of a Zap: the lead's own fields, without the
 * API's internal delivery bookkeeping (`zapier_*` state, attempts, deliveries), which would only confuse a mapping.
 */
const LEAD_OUTPUT_KEYS = [
  'id',
  'site_id',
  'submitted_at',
  'page_url',
  'lead_source',
  'form_type',
  'name',
  'email',
  'phone',
  'message',
  'extra',
  'version',
  'updated_at',
];

function leadOutput(lead) {
  const output = {};
  for (const key of LEAD_OUTPUT_KEYS)
    output[key] = key === 'extra' ? (lead.extra ?? {}) : (lead[key] ?? null);
  return output;
}

/** Labels of the lead's fields in the Zap editor (the data the next steps can map). */
const LEAD_OUTPUT_FIELDS = [
  { key: 'id', label: 'Lead ID' },
  { key: 'name', label: 'Name' },
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone' },
  { key: 'message', label: 'Message' },
  { key: 'page_url', label: 'Page URL' },
  { key: 'lead_source', label: 'Lead Source' },
  { key: 'form_type', label: 'Form Type' },
  { key: 'submitted_at', label: 'Submitted At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
  { key: 'version', label: 'Version', type: 'integer' },
  { key: 'site_id', label: 'Site ID' },
];

module.exports = { leadOutput, LEAD_OUTPUT_FIELDS, LEAD_OUTPUT_KEYS };
