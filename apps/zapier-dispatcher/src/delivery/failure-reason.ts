import type { WebhookResult } from '@leadhooks/webhooks';

/** Why an attempt failed, as a bounded metric label (SPEC §11): never a site, an endpoint or a URL. */
export const FAILURE_REASONS = [
  'http_5xx',
  'http_4xx',
  'http_429',
  'timeout',
  'connection',
  'forbidden_target',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export function failureReason(result: Pick<WebhookResult, 'status' | 'errorClass'>): FailureReason {
  if (result.status !== null) {
    if (result.status === 429) return 'http_429';
    return result.status >= 500 ? 'http_5xx' : 'http_4xx';
  }
  if (result.errorClass === 'timeout') return 'timeout';
  if (result.errorClass === 'forbidden-target') return 'forbidden_target';
  return 'connection';
}
