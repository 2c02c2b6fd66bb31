/** JSX-like templates without a compile step: html`<p class="x">${value}</p>` (htm bound to Preact's h). */
export { html } from 'htm/preact';
