'use strict';

const { apiUrl } = require('../lib/api');
const { idempotencyKeyOf } = require('../lib/idempotency');
const { EXTRA_FIELD, LEAD_FIELDS, leadBody } = require('../lib/lead-fields');
const { LEAD_OUTPUT_FIELDS, leadOutput } = require('../lib/lead-output');
const { LEAD_RECORD_SAMPLE } = require('../lib/samples');

const KEY = 'create_lead';

module.exports = {
  key: KEY,
  noun: 'Lead',
  display: {
    label: 'Create Lead',
    description: 'Creates a lead on your site, as if a form had sent it.',
  },
  operation: {
    inputFields: [
      ...LEAD_FIELDS,
      EXTRA_FIELD,
      {
        key: 'idempotency_key',
        label: 'Deduplication Key',
        required: false,
        helpText:
          "Recommended: map something unique to what this lead comes from (e.g. the trigger's ID). This step then " +
          'never makes two leads for the same value, even when Zapier replays it. Left empty, identical values sent ' +
          'by this step on the same day make one lead.',
      },
    ],
    perform: async (z, bundle) => {
      const body = leadBody(bundle.inputData);
      const response = await z.request({
        url: apiUrl(z, bundle, '/v1/leads'),
        method: 'POST',
        headers: { 'Idempotency-Key': idempotencyKeyOf(bundle, body, KEY) },
        body,
      });
      return leadOutput(response.data);
    },
    sample: LEAD_RECORD_SAMPLE,
    outputFields: LEAD_OUTPUT_FIELDS,
  },
};
