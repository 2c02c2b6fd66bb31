import { useState } from 'preact/hooks';
import { html } from './html.js';

/** Copies a value (a new secret, an id) to the clipboard and says so. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(null), 2000);
  };
  return html`<button type="button" class="secondary" onClick=${copy}>
    ${done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed: select and copy by hand' : label}
  </button>`;
}
