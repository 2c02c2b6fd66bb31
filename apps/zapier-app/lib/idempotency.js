'use strict';

const crypto = require('node:crypto');

/** leadhooks keeps at most this many characters of an Idempotency-Key. */
const MAX_KEY_LENGTH = 200;

function digest(value) {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

/**
 * What identifies this Zap's step. zapier-platform-core no longer documents a Zap id for actions
 * (`bundle.meta.zap.id` is deprecated and was only ever set while subscribing a hook); `bundle.inputDataRaw`, the
 * step's own field templates, is what is left: a mapped value reads `{{<node id>__<field>}}`, and node ids belong to
 * one Zap's steps, so two Zaps (or two steps mapping different things) never share it. The action's key is part of
 * it too. Without inputDataRaw (an old platform, a test) the resolved input stands in.
 */
function stepScope(bundle, action) {
  const raw =
    bundle.inputDataRaw && Object.keys(bundle.inputDataRaw).length ? bundle.inputDataRaw : bundle.inputData;
  const entries = Object.entries(raw || {}).sort(([a], [b]) => a.localeCompare(b));
  return digest([action, entries]).slice(0, 22);
}

/**
 * The Idempotency-Key of a create, always scoped to the Zap's step:
 * - `zapier:<step>:mapped:<value>`: the Deduplication Key the user mapped (best: the trigger's ID). The same value
 *   in this step is one lead, whenever it comes; another Zap mapping the same value makes its own lead.
 * - `zapier:<step>:auto:<UTC day>:<digest of the lead>`: no key mapped. Zapier replaying the step (an autoreplay
 *   after an error, a manual replay) sends the same input, so leadhooks answers with the lead it made the first time;
 *   identical input in this step on the same day is one lead.
 */
function idempotencyKeyOf(bundle, body, action = 'create_lead', now = new Date()) {
  const step = stepScope(bundle, action);
  const mapped = bundle.inputData.idempotency_key;
  if (mapped !== undefined && mapped !== null && String(mapped).trim() !== '') {
    const value = String(mapped).trim();
    const key = `zapier:${step}:mapped:${value}`;
    return key.length <= MAX_KEY_LENGTH ? key : `zapier:${step}:mapped-digest:${digest(value)}`;
  }
  return `zapier:${step}:auto:${now.toISOString().slice(0, 10)}:${digest(body)}`;
}

module.exports = { idempotencyKeyOf, stepScope };
