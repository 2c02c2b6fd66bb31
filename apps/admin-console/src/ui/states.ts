import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client.js';
import { html } from './html.js';

export function Loading({ what }: { what: string }) {
  return html`<p class="state" role="status">Loading ${what}…</p>`;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return html`<p class="state empty">${children}</p>`;
}

/** An error in plain words, with a way to try again. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const text =
    error instanceof ApiError ? error.explanation : error instanceof Error ? error.message : String(error);
  return html`<div class="error" role="alert">
    <p>Something went wrong: ${text}</p>
    ${retry ? html`<button type="button" onClick=${retry}>Try again</button>` : null}
  </div>`;
}
