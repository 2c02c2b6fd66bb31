'use strict';

const { apiUrl } = require('../lib/api');
const { explainResponse } = require('../lib/errors');
const { listOf } = require('../lib/list-answer');
const { firstSighting } = require('../lib/seen-events');
const { verifySignature } = require('../lib/signature');

/** Why `perform` refused a request, per verdict of `verifySignature`. */
const REFUSALS = {
  unsigned: 'The request carried no leadhooks signature; ignored.',
  invalid: 'The request did not carry a valid leadhooks signature; ignored.',
  stale: 'The request was signed more than five minutes ago (a replayed request); ignored.',
};

/** The event's id: `id` in the flat payload, `event_id` in deliveries from leadhooks versions before it. */
function eventIdOf(payload) {
  return String(payload.id ?? payload.event_id);
}

/** The trigger's item: the flat payload with its event id as `id` (never a form field's value). */
function toItem(payload) {
  return { ...payload, id: eventIdOf(payload) };
}

/**
 * The delivered events: parsed from the signed bytes when they were checked, else from what Zapier parsed.
 * A delivery carries one event; a list is accepted too.
 */
function payloadsOf(z, bundle, verified) {
  let body = bundle.cleanedRequest;
  if (verified) body = z.JSON.parse(bundle.rawRequest.content);
  const items = Array.isArray(body) ? body : [body];
  return items.filter((item) => item && typeof item === 'object' && (item.id ?? item.event_id) !== undefined);
}

/**
 * An instant trigger on a leadhooks event through REST hooks (SPEC §12): turning a Zap on subscribes its target URL
 * (`POST /v1/hooks`), turning it off unsubscribes (`DELETE /v1/hooks/{id}`); each event then arrives as the flat
 * webhook payload, signed (Standard Webhooks) with the secret the subscription returned. `perform` refuses an
 * unsigned, forged or stale request, outputs each event once per Zap (`id` = the event id, the same in every retry),
 * and `performList` shows the site's newest events in the same shape. A deleted Zap's URL answers 410 and leadhooks
 * removes the subscription itself. One trigger per event type: `restHookTrigger({key, event, …})`.
 */
function restHookTrigger({ key, noun, label, description, event, sample, outputFields }) {
  return {
    key,
    noun,
    display: { label, description },
    operation: {
      type: 'hook',

      performSubscribe: async (z, bundle) => {
        const response = await z.request({
          url: apiUrl(z, bundle, '/v1/hooks'),
          method: 'POST',
          body: { target_url: bundle.targetUrl, event },
        });
        const hook = response.data;
        if (!hook || typeof hook.id !== 'string' || typeof hook.secret !== 'string')
          throw new z.errors.Error(
            'leadhooks did not confirm the subscription (no id or secret in its answer). Check the leadhooks URL of this connection.',
            'InvalidSubscription',
            502,
          );
        // Kept by Zapier as bundle.subscribeData: the id to unsubscribe, the secret to check signatures.
        return hook;
      },

      performUnsubscribe: async (z, bundle) => {
        const id = bundle.subscribeData && bundle.subscribeData.id;
        if (!id) return {};
        const response = await z.request({
          url: apiUrl(z, bundle, `/v1/hooks/${encodeURIComponent(id)}`),
          method: 'DELETE',
          skipThrowForStatus: true,
        });
        // 404: already gone (removed after a 410, or the connection now holds another site's key). Done either way.
        if (response.status !== 404) explainResponse(response, z);
        return {};
      },

      perform: async (z, bundle) => {
        const secret = bundle.subscribeData && bundle.subscribeData.secret;
        if (secret) {
          const verdict = verifySignature(bundle.rawRequest, secret);
          if (verdict !== 'valid') throw new z.errors.HaltedError(REFUSALS[verdict]);
        }
        const subscriptionId = bundle.subscribeData && bundle.subscribeData.id;
        const items = [];
        for (const payload of payloadsOf(z, bundle, Boolean(secret))) {
          if (payload.event !== event) continue;
          const item = toItem(payload);
          if (await firstSighting(z, subscriptionId, item.id)) items.push(item);
        }
        return items;
      },

      performList: async (z, bundle) => {
        const response = await z.request({
          url: apiUrl(z, bundle, '/v1/leads'),
          params: { limit: 3, event },
        });
        return listOf(z, response).map(toItem);
      },

      sample,
      outputFields,
    },
  };
}

module.exports = { restHookTrigger, toItem };
