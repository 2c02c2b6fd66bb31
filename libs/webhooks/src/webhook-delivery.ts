import { createHmac } from 'node:crypto';
import { HmacKeys } from './hmac-keys.js';
import {
  type AuthMode,
  buildWebhookPayload,
  DEFAULT_SIGNATURE_PREFIX,
  type LeadEvent,
  type PayloadFormat,
  type SiteIdentity,
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SECRET_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
} from '@leadhooks/contracts';
import { activeSecrets, currentSecret, type SigningSecrets } from './signing-secrets.js';
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
  /** `hmac_sha256_hex` only: what goes before the hex digest (`sha256=` when undefined or null). */
  signaturePrefix?: string | null;
}

const hexKeys = new HmacKeys((secret) => Buffer.from(secret, 'utf8'));

/**
 * `<prefix><hex HMAC-SHA256 of the raw body>` (prefix `sha256=` by default, or `""`), keyed with the secret exactly
 * as shown to the admin (UTF-8): what the integration guide's receivers recompute over the bytes they received.
 */
export function hexBodySignature(
  secret: string,
  body: string,
  prefix: string = DEFAULT_SIGNATURE_PREFIX,
): string {
  return `${prefix}${createHmac('sha256', hexKeys.get(secret)).update(body).digest('hex')}`;
}

/**
 * The auth headers of one request, per the endpoint's mode (SPEC §11), over the body's exact bytes. A scheme that
 * carries one value (secret header, hex signature) sends the current secret, and a staged one only once it is due:
 * a receiver not yet updated keeps working until the rotation is activated.
 */
export function authHeaders(
  destination: Pick<Destination, 'auth' | 'secrets' | 'signaturePrefix'>,
  eventId: string,
  now: Date,
  body: string,
): Record<string, string> {
  const { auth, secrets } = destination;
  const current = currentSecret(secrets, now);
  if (!current) throw new Error('the endpoint has no signing secret');
  switch (auth) {
    case 'standard_webhooks':
      return { ...signWebhook(activeSecrets(secrets, now), eventId, Math.floor(now.getTime() / 1000), body) };
    case 'secret_header':
      return { [WEBHOOK_SECRET_HEADER]: current };
    case 'hmac_sha256_hex':
      return {
        [WEBHOOK_SIGNATURE_HEADER]: hexBodySignature(
          current,
          body,
          destination.signaturePrefix ?? DEFAULT_SIGNATURE_PREFIX,
        ),
      };
  }
}

/** The body of a built-in format; a `custom` body is the mapping's output, rendered by the caller. */
export function builtInBody(
  event: LeadEvent,
  site: SiteIdentity,
  attempt: number,
  format: PayloadFormat,
): string {
  if (format === 'custom') throw new Error('a custom-format body is rendered from its mapping');
  return JSON.stringify(buildWebhookPayload(event, site, attempt, format));
}

/** Every header of one request but the transport's own (content-type, user-agent, accept), as sent. */
export function requestHeaders(
  event: LeadEvent,
  destination: Destination,
  now: Date,
  body: string,
): Record<string, string> {
  return {
    ...destination.headers,
    [WEBHOOK_EVENT_HEADER]: event.type,
    [WEBHOOK_DELIVERY_ID_HEADER]: destination.deliveryId,
    ...authHeaders(destination, event.id, now, body),
  };
}

/**
 * The one delivery path (dispatcher deliveries and the admin test send): the payload in the endpoint's format,
 * its auth headers, `X-Webhook-Event` and `X-Webhook-Delivery-Id`, its custom headers, POSTed by the guarded sender.
 */
export class WebhookDelivery {
  constructor(private readonly sender: WebhookSender) {}

  /**
   * POSTs the event. `body` is the exact text to send when the caller rendered it (a `custom` mapping's output);
   * otherwise the endpoint's built-in format is built here. Signatures are made over the very bytes sent.
   */
  deliver(
    event: LeadEvent,
    site: SiteIdentity,
    attempt: number,
    destination: Destination,
    now = new Date(),
    body: string = builtInBody(event, site, attempt, destination.format),
  ): Promise<WebhookResult> {
    return this.sender.post(destination.url, body, requestHeaders(event, destination, now, body), {
      timeoutMs: destination.timeoutMs,
    });
  }
}
