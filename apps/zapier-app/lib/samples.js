'use strict';

/**
 * What the app's items look like in a Zap before the site has one. Each sample holds only keys that every live
 * item has (checked by the tests against the real stack): form fields a lead may or may not carry, and the
 * `previous_<field>` of an update, are left out.
 */

/** A lead.created delivery (the flat webhook payload; see docs/zapier.md). `id` is the event id. */
const NEW_LEAD_SAMPLE = {
  id: '01a22d99-661b-771a-adfe-56f8b3ab6e21',
  event: 'lead.created',
  event_id: '01a22d99-661b-771a-adfe-56f8b3ab6e21',
  lead_id: '01a22d99-661b-771a-adfe-526a5db11bd3',
  submitted_at: '2026-11-30T17:55:57.595Z',
  site_id: '01a22d99-65b5-76cc-99f7-7c662569eb7b',
  site_hostname: 'www.example.com',
  site_name: 'Example',
  page_url: 'https://www.example.com/contact',
  lead_source: 'google-ads',
  form_type: 'contact',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  message: 'Please call me back after 5pm.',
  attempt: 1,
};

/** A lead.updated delivery: the whole lead now, its version and which fields changed. */
const UPDATED_LEAD_SAMPLE = {
  ...NEW_LEAD_SAMPLE,
  id: '01a22d99-6a9d-72da-bbc0-5631482249aa',
  event: 'lead.updated',
  event_id: '01a22d99-6a9d-72da-bbc0-5631482249aa',
  message: 'Please call me back after 6pm.',
  lead_version: 2,
  changed_fields: 'message',
};

/**
 * A lead.deleted delivery: the lead was erased (a person's request, the retention rule, or its site deleted). Ids
 * only: the lead's data is gone, so a Zap can find its own copy by `lead_id` and delete it.
 */
const DELETED_LEAD_SAMPLE = {
  id: '01a22d99-7f3e-7a10-9c41-0b6f6e3d2a11',
  event: 'lead.deleted',
  event_id: '01a22d99-7f3e-7a10-9c41-0b6f6e3d2a11',
  lead_id: '01a22d99-661b-771a-adfe-526a5db11bd3',
  site_id: '01a22d99-65b5-76cc-99f7-7c662569eb7b',
  site_hostname: 'www.example.com',
  site_name: 'Example',
  erased_at: '2026-12-03T18:00:00.000Z',
  reason: 'request',
  attempt: 1,
};

/** A lead as the actions and the search output it (see lib/lead-output.js). */
const LEAD_RECORD_SAMPLE = {
  id: '01a22d99-661b-771a-adfe-526a5db11bd3',
  site_id: '01a22d99-65b5-76cc-99f7-7c662569eb7b',
  submitted_at: '2026-11-30T17:55:57.595Z',
  page_url: 'https://www.example.com/contact',
  lead_source: 'zapier',
  form_type: 'contact',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  message: 'Please call me back after 5pm.',
  extra: {},
  version: 1,
  updated_at: null,
};

/** A lead in the Lead ID dropdown (the hidden recent_leads trigger). */
const LEAD_CHOICE_SAMPLE = {
  id: '01a22d99-661b-771a-adfe-526a5db11bd3',
  label: 'Ada Lovelace <ada@example.com>',
  submitted_at: '2026-11-30T17:55:57.595Z',
};

module.exports = {
  NEW_LEAD_SAMPLE,
  UPDATED_LEAD_SAMPLE,
  DELETED_LEAD_SAMPLE,
  LEAD_RECORD_SAMPLE,
  LEAD_CHOICE_SAMPLE,
};
