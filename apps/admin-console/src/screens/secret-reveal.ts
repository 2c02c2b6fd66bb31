import { CopyButton } from '../ui/copy-button.js';
import { html } from '../ui/html.js';

/** A secret shown once (just made or rotated): copy it now; it is never shown again. */
export function SecretReveal({
  label,
  secret,
  onDone,
}: {
  label: string;
  secret: string;
  onDone: () => void;
}) {
  return html`<div class="reveal" role="status">
    <p><strong>${label}</strong> Copy it now: it will not be shown again.</p>
    <code class="secret" data-testid="revealed-secret">${secret}</code>
    <div class="actions">
      <${CopyButton} value=${secret} label="Copy secret" />
      <button type="button" class="secondary" onClick=${onDone}>I have stored it</button>
    </div>
  </div>`;
}
