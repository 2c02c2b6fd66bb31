import { html } from './html.js';

const WORDS: Record<string, string> = {
  SENT: 'Sent',
  PENDING: 'Pending',
  FAILED: 'Failed',
  SKIPPED: 'Skipped',
  NOT_CONFIGURED: 'Zapier off',
};

/** A status as a coloured badge that also says it in words (colour is never the only signal). */
export function StatusBadge({ status }: { status: string | null }) {
  const key = status ?? 'NOT_CONFIGURED';
  return html`<span class=${`badge badge-${key.toLowerCase()}`} data-status=${key}
    >${WORDS[key] ?? key}</span
  >`;
}
