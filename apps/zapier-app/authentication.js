'use strict';

const { apiUrl } = require('./lib/api');

/**
 * A site API key (made by a leadhooks admin: `POST /v1/admin/sites/{id}/api-keys`) and the address of the
 * leadhooks API. The test call lists one sample lead, which only a live site key may do.
 */
module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'base_url',
      label: 'leadhooks URL',
      required: true,
      type: 'string',
      helpText: 'The address of your leadhooks API, e.g. `https://leads.example.com` (no path).',
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
  test: async (z, bundle) => {
    const response = await z.request({ url: apiUrl(bundle, '/v1/leads'), params: { limit: 1 } });
    const [newest] = response.data;
    return { site: newest ? newest.site_hostname : null, url: bundle.authData.base_url };
  },
  connectionLabel: (z, bundle) =>
    bundle.inputData && bundle.inputData.site
      ? bundle.inputData.site
      : String(bundle.authData.base_url || ''),
};
