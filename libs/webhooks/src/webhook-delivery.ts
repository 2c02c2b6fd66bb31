import { buildZapierPayload, type LeadCreatedEvent, type SiteIdentity } from '@leadhooks/contracts';
import { activeSecrets, type SigningSecrets } from './signing-secrets.js';
import { signWebhook } from './standard-webhook-signer.js';
import type { WebhookResult, WebhookSender } from './webhook-sender.js';

/** Where and how one delivery goes: the destination and what it is signed with. */
export interface Destination {
  url: string;
  secrets: SigningSecrets;
}

/**
 * The one delivery path (dispatcher deliveries and the admin test send): the flat payload, signed with every
 * active secret (Standard Webhooks), POSTed by the guarded sender.
 */
export class WebhookDelivery {
  constructor(private readonly sender: WebhookSender) {}

  deliver(
    event: LeadCreatedEvent,
    site: SiteIdentity,
    attempt: number,
    destination: Destination,
    now = new Date(),
  ): Promise<WebhookResult> {
    const body = JSON.stringify(buildZapierPayload(event, site, attempt));
    const signature = signWebhook(
      activeSecrets(destination.secrets, now),
      event.id,
      Math.floor(now.getTime() / 1000),
      body,
    );
    return this.sender.post(destination.url, body, { ...signature });
  }
}
