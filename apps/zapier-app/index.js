'use strict';

const zapier = require('zapier-platform-core');
const { addApiKey } = require('./lib/api');
const { explainErrors } = require('./lib/errors');
const authentication = require('./authentication');
const newLead = require('./triggers/new-lead');
const updatedLead = require('./triggers/updated-lead');
const deletedLead = require('./triggers/deleted-lead');
const recentLeads = require('./triggers/recent-leads');
const createLead = require('./creates/create-lead');
const updateLead = require('./creates/update-lead');
const findLead = require('./searches/find-lead');

/** The leadhooks Zapier integration (SPEC §12; docs/zapier.md). */
module.exports = {
  version: require('./package.json').version,
  platformVersion: zapier.version,

  authentication,
  beforeRequest: [addApiKey],
  afterResponse: [explainErrors],

  triggers: {
    [newLead.key]: newLead,
    [updatedLead.key]: updatedLead,
    [deletedLead.key]: deletedLead,
    [recentLeads.key]: recentLeads,
  },
  creates: {
    [createLead.key]: createLead,
    [updateLead.key]: updateLead,
  },
  searches: {
    [findLead.key]: findLead,
  },
  searchOrCreates: {
    [findLead.key]: {
      key: findLead.key,
      display: {
        label: 'Find or Create Lead',
        description: 'Finds a lead by email or phone, and creates it when there is none.',
      },
      search: findLead.key,
      create: createLead.key,
    },
  },
};
