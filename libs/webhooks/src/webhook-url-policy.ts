import net from 'node:net';
import { forbiddenAddressReason } from './address-policy.js';
import type { AllowedTargets } from './allowed-targets.js';

export interface WebhookUrlPolicy {
  /** ALLOW_INSECURE_WEBHOOK_URLS: permits http:// and loopback targets (development and tests only). */
  allowInsecure: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: private targets the operator permits (off when absent or empty). */
  allowedTargets?: AllowedTargets;
}

/** Static checks on a hook URL (before any DNS): why it is refused, or null. */
export function webhookUrlProblem(raw: string, policy: WebhookUrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowed = policy.allowedTargets;
  // A target the operator listed is an internal service: plain http is its choice to make.
  const listed = !!allowed && (net.isIP(host) ? allowed.listsAddress(host) : allowed.listsHost(host));
  const httpAllowed = policy.allowInsecure || listed;
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) {
    return httpAllowed ? 'must use http or https' : 'must use https';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (net.isIP(host)) {
    const reason = forbiddenAddressReason(host, { allowLoopback: policy.allowInsecure, allowed });
    if (reason) return `targets a forbidden address (${reason})`;
  } else if (
    !policy.allowInsecure &&
    !listed &&
    (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))
  ) {
    return 'must name a public host';
  }
  return null;
}
