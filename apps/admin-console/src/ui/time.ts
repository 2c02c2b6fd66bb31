import { html } from './html.js';

const short = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const exact = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'full',
  timeStyle: 'long',
});

/** A time in the viewer's own zone; hovering shows it exactly (and in UTC). */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return html`<span class="muted">—</span>`;
  const date = new Date(value);
  return html`<time datetime=${value} title=${`${exact.format(date)} (${date.toISOString()} UTC)`}
    >${short.format(date)}</time
  >`;
}
