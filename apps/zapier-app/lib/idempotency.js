'use strict';

const crypto = require('node:crypto');

/**
 * The Idempotency-Key of a create: the one the user mapped (best: the trigger's own id), else a digest of the Zap,
 * the step's input and the UTC day. Zapier replaying the step (an autoreplay after an error) sends the same key, so
 * leadhooks returns the lead it made the first time instead of a second lead. Identical input in the same Zap on
 * the same day is therefore one lead unless a key is mapped.
 */
function idempotencyKeyOf(bundle, body) {
  const mapped = bundle.inputData.idempotency_key;
  if (mapped !== undefined && mapped !== null && String(mapped).trim() !== '')
    return `zap:${String(mapped).trim()}`.slice(0, 200);
  const meta = bundle.meta || {};
  const zap = (meta.zap && meta.zap.id) || meta.id || 'no-zap';
  const day = new Date().toISOString().slice(0, 10);
  const digest = crypto
    .createHash('sha256')
    .update(JSON.stringify([zap, day, body]))
    .digest('base64url');
  return `zap-auto:${digest}`;
}

module.exports = { idempotencyKeyOf };
