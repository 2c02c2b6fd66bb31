'use strict';

const { apiUrl } = require('../lib/api');
const { idempotencyKeyOf } = require('../lib/idempotency');
const { EXTRA_FIELD, LEAD_FIELDS, leadBody } = require('../lib/lead-fields');
const { LEAD_RECORD_SAMPLE } = require('../lib/samples');

module.exports = {
  key: 'create_lead',
  noun: 'Lead',
  display: {
    label: 'Create Lead',
    description:
      'Creates a lead on your site, as if a form had sent it: your other Zaps and webhooks get it as a New Lead.',
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
          "Optional. Map a value unique to the thing this lead comes from (e.g. the trigger's ID) so that a " +
          'replayed Zap never creates the same lead twice. Left empty, identical values sent by this Zap on the ' +
          'same day make one lead.',
      },
    ],
    perform: async (z, bundle) => {
      const body = leadBody(bundle.inputData);
      const response = await z.request({
        url: apiUrl(bundle, '/v1/leads'),
        method: 'POST',
        headers: { 'Idempotency-Key': idempotencyKeyOf(bundle, body) },
        body,
      });
      return response.data;
    },
    sample: LEAD_RECORD_SAMPLE,
  },
};
