'use strict';

const { UPDATED_LEAD_SAMPLE } = require('../lib/samples');
const { PAYLOAD_FIELDS, UPDATE_FIELDS } = require('./payload-fields');
const { restHookTrigger } = require('./rest-hook-trigger');

module.exports = restHookTrigger({
  key: 'updated_lead',
  noun: 'Lead',
  label: 'Updated Lead',
  description:
    'Triggers instantly when a lead changes (through the API or a Zap). Carries the whole lead, its version, ' +
    'the changed fields and their previous values (previous_<field>).',
  event: 'lead.updated',
  // One item per version: a later change of the same lead triggers again.
  idOf: (payload) => `${payload.lead_id}-v${payload.lead_version}`,
  sample: UPDATED_LEAD_SAMPLE,
  outputFields: [...PAYLOAD_FIELDS, ...UPDATE_FIELDS],
});
