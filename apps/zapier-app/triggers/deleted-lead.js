'use strict';

const { DELETED_LEAD_SAMPLE } = require('../lib/samples');
const { DELETED_FIELDS } = require('./payload-fields');
const { restHookTrigger } = require('./rest-hook-trigger');

/**
 * lead.deleted (docs/privacy.md): the lead was erased in leadhooks, so a Zap can delete its copy (a CRM contact, a
 * sheet row) by `lead_id`. Carries ids only.
 */
module.exports = restHookTrigger({
  key: 'deleted_lead',
  noun: 'Lead',
  label: 'Deleted Lead',
  description:
    'Triggers when a lead is erased (on request, by retention or with its site), to delete your copy.',
  event: 'lead.deleted',
  sample: DELETED_LEAD_SAMPLE,
  outputFields: DELETED_FIELDS,
});
