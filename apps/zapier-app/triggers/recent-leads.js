'use strict';

const { apiUrl } = require('../lib/api');
const { listOf } = require('../lib/list-answer');
const { LEAD_CHOICE_SAMPLE } = require('../lib/samples');

/** How many of the site's newest leads the Lead ID dropdown offers. */
const CHOICES = 100;

/** "Ada Lovelace <ada@example.com>", or whatever of name, email and phone the lead has. */
function labelOf(payload) {
  const who = payload.name || payload.phone || 'Lead';
  return payload.email ? `${who} <${payload.email}>` : `${who} (${String(payload.lead_id).slice(-6)})`;
}

/**
 * Hidden: the site's newest leads for Update Lead's "Lead ID" dropdown (`dynamic: 'recent_leads.id.label'`), as
 * they were submitted. Users never pick it as a trigger (New Lead is the instant one).
 */
module.exports = {
  key: 'recent_leads',
  noun: 'Lead',
  display: {
    label: 'Recent Leads',
    description: 'Triggers when a lead arrives; lists recent leads for the Lead ID dropdown.',
    hidden: true,
  },
  operation: {
    perform: async (z, bundle) => {
      const response = await z.request({
        url: apiUrl(z, bundle, '/v1/leads'),
        params: { limit: CHOICES, event: 'lead.created' },
      });
      return listOf(z, response).map((payload) => ({
        id: payload.lead_id,
        label: labelOf(payload),
        submitted_at: payload.submitted_at,
      }));
    },
    sample: LEAD_CHOICE_SAMPLE,
    outputFields: [
      { key: 'id', label: 'Lead ID' },
      { key: 'label', label: 'Lead' },
      { key: 'submitted_at', label: 'Submitted At', type: 'datetime' },
    ],
  },
};
