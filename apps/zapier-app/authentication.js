'use strict';

const { connectionLabel, testConnection } = require('./lib/connection');

/**
 * A site API key (made by a leadhooks admin: `POST /v1/admin/sites/{id}/api-keys`) and the address of the
 * leadhooks API. The test asks `GET /v1/me` who the key is; the answer labels the connection with its site.
 */
module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'base_url',
      label: 'leadhooks URL',
      required: true,
      type: 'string',
      helpText:
        'The address of your leadhooks API, starting with https:// (e.g. `https://leads.example.com`).',
    },
    {
      key: 'api_key',
      label: 'Site API Key',
      required: true,
      type: 'password',
      helpText:
        'A site API key (it starts with `lh_site_`). Ask your leadhooks admin for one; it is shown only once when made.',
    },
  ],
  test: testConnection,
  connectionLabel,
};
