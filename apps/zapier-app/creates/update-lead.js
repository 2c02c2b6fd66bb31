'use strict';

const { apiUrl } = require('../lib/api');
const { EXTRA_FIELD, LEAD_FIELDS } = require('../lib/lead-fields');
const { LEAD_OUTPUT_FIELDS, leadOutput } = require('../lib/lead-output');
const { LEAD_RECORD_SAMPLE } = require('../lib/samples');

/** The fields of an update: empty ones are left as they are; "Other Fields" set or add extras. */
function changesOf(inputData) {
  const changes = {};
  for (const { key } of LEAD_FIELDS) {
    const value = inputData[key];
    if (value !== undefined && value !== null && value !== '') changes[key] = value;
  }
  if (inputData.extra && Object.keys(inputData.extra).length) changes.extra = inputData.extra;
  return changes;
}

module.exports = {
  key: 'update_lead',
  noun: 'Lead',
  display: {
    label: 'Update Lead',
    description: 'Updates fields of a lead; a real change also sends an Updated Lead to your Zaps.',
  },
  operation: {
    inputFields: [
      {
        key: 'id',
        label: 'Lead ID',
        required: true,
        // A dropdown of the site's recent leads, or a Find Lead step set up right here (search connector).
        dynamic: 'recent_leads.id.label',
        search: 'find_lead.id',
        helpText:
          'The lead to change: pick a recent lead, or map the Lead ID from a New Lead trigger or a Find Lead step.',
      },
      ...LEAD_FIELDS.map((field) => ({
        ...field,
        helpText: `${field.helpText} Leave empty to keep the current value.`,
      })),
      { ...EXTRA_FIELD, helpText: 'Other fields to set or add; fields not listed keep their values.' },
    ],
    perform: async (z, bundle) => {
      const response = await z.request({
        url: apiUrl(z, bundle, `/v1/leads/${encodeURIComponent(String(bundle.inputData.id).trim())}`),
        method: 'PATCH',
        body: changesOf(bundle.inputData),
      });
      return leadOutput(response.data);
    },
    sample: { ...LEAD_RECORD_SAMPLE, version: 2, updated_at: '2026-11-30T18:02:11.000Z' },
    outputFields: LEAD_OUTPUT_FIELDS,
  },
};
