'use strict';

/** What a lead looks like in a Zap before the site has one (the flat webhook payload; see the README). */
const NEW_LEAD_SAMPLE = {
  id: '01a22d99-661b-771a-adfe-526a5db11bd3',
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

const UPDATED_LEAD_SAMPLE = {
  ...NEW_LEAD_SAMPLE,
  id: '01a22d99-661b-771a-adfe-526a5db11bd3-v2',
  event: 'lead.updated',
  event_id: '01a22d99-6a9d-72da-bbc0-5631482249aa',
  message: 'Please call me back after 6pm.',
  lead_version: 2,
  changed_fields: 'message',
  previous_message: 'Please call me back after 5pm.',
};

/** A lead as the API returns it (actions and the search). */
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
  extra: { company: 'Analytical Engines Ltd' },
  zapier_status: 'PENDING',
  zapier_attempt_count: 0,
  zapier_last_attempt_at: null,
  zapier_last_error: null,
  zapier_sent_at: null,
  version: 1,
  updated_at: null,
};

module.exports = { NEW_LEAD_SAMPLE, UPDATED_LEAD_SAMPLE, LEAD_RECORD_SAMPLE };
