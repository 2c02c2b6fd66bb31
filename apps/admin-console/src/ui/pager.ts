import { useState } from 'preact/hooks';
import { html } from './html.js';

/** Cursor pages: the cursors walked so far, so "Newer" goes back and "Older" follows next_cursor. */
export function useCursorPages() {
  const [stack, setStack] = useState<string[]>([]);
  return {
    cursor: stack[stack.length - 1],
    page: stack.length + 1,
    older: (next: string) => setStack([...stack, next]),
    newer: () => setStack(stack.slice(0, -1)),
    reset: () => setStack([]),
  };
}

export function Pager({
  page,
  nextCursor,
  onOlder,
  onNewer,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onOlder: (cursor: string) => void;
  onNewer: () => void;
}) {
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="secondary" disabled=${page === 1} onClick=${onNewer}>← Newer</button>
    <span>Page ${page}</span>
    <button
      type="button"
      class="secondary"
      disabled=${!nextCursor}
      onClick=${() => nextCursor && onOlder(nextCursor)}
    >
      Older →
    </button>
  </nav>`;
}
