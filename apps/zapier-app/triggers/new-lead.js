'use strict';

const { NEW_LEAD_SAMPLE } = require('../lib/samples');
const { PAYLOAD_FIELDS } = require('./payload-fields');
const { restHookTrigger } = require('./rest-hook-trigger');

module.exports = restHookTrigger({
  key: 'new_lead',
  noun: 'Lead',
  label: 'New Lead',
  description: 'Triggers when a form on your site sends a new lead.',
  event: 'lead.created',
  sample: NEW_LEAD_SAMPLE,
  outputFields: PAYLOAD_FIELDS,
});
