'use strict';

const { UPDATED_LEAD_SAMPLE } = require('../lib/samples');
const { PAYLOAD_FIELDS, UPDATE_FIELDS } = require('./payload-fields');
const { restHookTrigger } = require('./rest-hook-trigger');

module.exports = restHookTrigger({
  key: 'updated_lead',
  noun: 'Lead',
  label: 'Updated Lead',
  description: "Triggers when a lead's details change, with the changed fields and their previous values.",
  event: 'lead.updated',
  sample: UPDATED_LEAD_SAMPLE,
  outputFields: [...PAYLOAD_FIELDS, ...UPDATE_FIELDS],
});
