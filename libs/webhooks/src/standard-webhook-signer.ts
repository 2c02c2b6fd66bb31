import { createHmac } from 'node:crypto';
import { HmacKeys } from './hmac-keys.js';
import { secretKey } from './webhook-secret.js';

const keys = new HmacKeys(secretKey);

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per active
 * secret (space separated) so receivers keep verifying during a secret rotation.
 */
export function signWebhook(
  secrets: string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  if (!secrets.length) throw new Error('at least one signing secret is required');
  const signed = `${messageId}.${timestampSeconds}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', keys.get(secret)).update(signed).digest('base64')}`,
  );
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
