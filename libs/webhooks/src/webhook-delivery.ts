import { createHmac } from 'node:crypto';
import { HmacKeys } from './hmac-keys.js';
import {
  type AuthMode,
  buildWebhookPayload,
  type LeadEvent,
  type PayloadFormat,
  type SiteIdentity,
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SECRET_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
} from '@leadhooks/contracts';
import { activeSecrets, type SigningSecrets } from './signing-secrets.js';
import { signWebhook } from './standard-webhook-signer.js';
import type { WebhookResult, WebhookSender } from './webhook-sender.js';

/** Where and how one delivery goes: the endpoint's URL, auth mode, payload format, headers and timeout. */
export interface Destination {
  url: string;
  auth: AuthMode;
  format: PayloadFormat;
  /** Custom request headers (already validated: no hop-by-hop, auth or signature header among them). */
  headers: Record<string, string>;
  /** The endpoint's own timeout; the sender's default when undefined. */
  timeoutMs?: number;
  secrets: SigningSecrets;
  /** Stable across the delivery's retries (`X-Webhook-Delivery-Id`). */
  deliveryId: string;
}

const hexKeys = new HmacKeys((secret) => Buffer.from(secret, 'utf8'));

/** `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the secret exactly as shown to the admin (UTF-8). */
export function hexBodySignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', hexKeys.get(secret)).update(body).digest('hex')}`;
}

/** The auth headers of one request, per the endpoint's mode (SPEC §11). */
function authHeaders(
  auth: AuthMode,
  secrets: SigningSecrets,
  eventId: string,
  now: Date,
  body: string,
): Record<string, string> {
  const current = secrets.secret;
  if (!current) throw new Error('the endpoint has no signing secret');
  switch (auth) {
    case 'standard_webhooks':
      return { ...signWebhook(activeSecrets(secrets, now), eventId, Math.floor(now.getTime() / 1000), body) };
    case 'secret_header':
      return { [WEBHOOK_SECRET_HEADER]: current };
    case 'hmac_sha256_hex':
      return { [WEBHOOK_SIGNATURE_HEADER]: hexBodySignature(current, body) };
  }
}

/**
 * The one delivery path (dispatcher deliveries and the admin test send): the payload in the endpoint's format,
 * its auth headers, `X-Webhook-Event` and `X-Webhook-Delivery-Id`, its custom headers, POSTed by the guarded sender.
 */
export class WebhookDelivery {
  constructor(private readonly sender: WebhookSender) {}

  deliver(
    event: LeadEvent,
    site: SiteIdentity,
    attempt: number,
    destination: Destination,
    now = new Date(),
  ): Promise<WebhookResult> {
    const body = JSON.stringify(buildWebhookPayload(event, site, attempt, destination.format));
    return this.sender.post(
      destination.url,
      body,
      {
        ...destination.headers,
        [WEBHOOK_EVENT_HEADER]: event.type,
        [WEBHOOK_DELIVERY_ID_HEADER]: destination.deliveryId,
        ...authHeaders(destination.auth, destination.secrets, event.id, now, body),
      },
      { timeoutMs: destination.timeoutMs },
    );
  }
}
