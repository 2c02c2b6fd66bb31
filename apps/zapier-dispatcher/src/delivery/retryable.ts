import type { WebhookResult } from '@leadhooks/webhooks';

/**
 * Whether a failure may heal by itself (worth an automatic re-drive from the DLT later): server errors, 408, 429,
 * timeouts and network trouble. Other 4xx, and a refused target, need a person.
 */
export function isRetryable(result: Pick<WebhookResult, 'status' | 'errorClass'>): boolean {
  if (result.status !== null) return result.status >= 500 || result.status === 408 || result.status === 429;
  return result.errorClass !== 'forbidden-target';
}
