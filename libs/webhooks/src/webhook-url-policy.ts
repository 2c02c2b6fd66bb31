import net from 'node:net';
import { forbiddenAddressReason } from './address-policy.js';

export interface WebhookUrlPolicy {
  /** ALLOW_INSECURE_WEBHOOK_URLS: permits http:// and loopback targets (development and tests only). */
  allowInsecure: boolean;
}

/** Static checks on a hook URL (before any DNS): why it is refused, or null. */
export function webhookUrlProblem(raw: string, policy: WebhookUrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) {
    return policy.allowInsecure ? 'must use http or https' : 'must use https';
  }
  if (url.username || url.password) return 'must not contain credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const reason = forbiddenAddressReason(host, { allowLoopback: policy.allowInsecure });
    if (reason) return `targets a forbidden address (${reason})`;
  } else if (
    !policy.allowInsecure &&
    (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))
  ) {
    return 'must name a public host';
  }
  return null;
}
