'use strict';

const { apiUrl } = require('../lib/api');
const { verifySignature } = require('../lib/signature');

/**
 * An instant trigger on a leadhooks event through REST hooks: turning a Zap on subscribes its target URL
 * (`POST /v1/hooks`), turning it off unsubscribes (`DELETE /v1/hooks/{id}`); each event then arrives as the flat
 * webhook payload. A deleted Zap's URL answers 410 and leadhooks removes the subscription itself.
 */
function restHookTrigger({ key, noun, label, description, event, idOf, sample, outputFields }) {
  const withId = (payload) => ({ id: idOf(payload), ...payload });
  return {
    key,
    noun,
    display: { label, description },
    operation: {
      type: 'hook',

      performSubscribe: async (z, bundle) => {
        const response = await z.request({
          url: apiUrl(bundle, '/v1/hooks'),
          method: 'POST',
          body: { target_url: bundle.targetUrl, event },
        });
        // Kept by Zapier as bundle.subscribeData: the id to unsubscribe, the secret to check signatures.
        return response.data;
      },

      performUnsubscribe: async (z, bundle) => {
        await z.request({ url: apiUrl(bundle, `/v1/hooks/${bundle.subscribeData.id}`), method: 'DELETE' });
        return {};
      },

      perform: (z, bundle) => {
        const secret = bundle.subscribeData && bundle.subscribeData.secret;
        if (verifySignature(bundle.rawRequest, secret) === 'invalid')
          throw new z.errors.HaltedError('The request did not carry a valid leadhooks signature; ignored.');
        const payload = bundle.cleanedRequest;
        const items = Array.isArray(payload) ? payload : [payload];
        return items.filter((item) => item && item.event === event).map(withId);
      },

      performList: async (z, bundle) => {
        const response = await z.request({ url: apiUrl(bundle, '/v1/leads'), params: { limit: 3, event } });
        return response.data.map(withId);
      },

      sample,
      outputFields,
    },
  };
}

module.exports = { restHookTrigger };
