'use strict';

const { apiUrl } = require('../lib/api');
const { LEAD_OUTPUT_FIELDS, leadOutput } = require('../lib/lead-output');
const { listOf } = require('../lib/list-answer');
const { LEAD_RECORD_SAMPLE } = require('../lib/samples');

module.exports = {
  key: 'find_lead',
  noun: 'Lead',
  display: {
    label: 'Find Lead',
    description: 'Finds the newest lead with an email (any case) or a phone number (any formatting).',
  },
  operation: {
    inputFields: [
      {
        key: 'email',
        label: 'Email',
        required: false,
        helpText: 'The email to look for. Give an email, a phone, or both (then both must match).',
      },
      {
        key: 'phone',
        label: 'Phone',
        required: false,
        helpText:
          'The phone to look for; only its digits are compared, so "+44 20 7946 0000" finds "442079460000".',
      },
    ],
    perform: async (z, bundle) => {
      const params = { limit: 10 };
      if (bundle.inputData.email) params.email = bundle.inputData.email;
      if (bundle.inputData.phone) params.phone = bundle.inputData.phone;
      if (!params.email && !params.phone)
        throw new z.errors.Error('Give an Email or a Phone to search by.', 'InvalidData', 400);
      // No match is an empty list (200): Zapier then reports "nothing found" (or creates, in Find or Create).
      const response = await z.request({ url: apiUrl(z, bundle, '/v1/leads/search'), params });
      return listOf(z, response).map(leadOutput);
    },
    sample: LEAD_RECORD_SAMPLE,
    outputFields: LEAD_OUTPUT_FIELDS,
  },
};
