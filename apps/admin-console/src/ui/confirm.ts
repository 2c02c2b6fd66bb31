import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';

/** A modal question (the native <dialog>: focus kept inside, Escape cancels). */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  confirmDisabled = false,
  danger = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** Until the question's own condition is met (e.g. the site's hostname typed). */
  confirmDisabled?: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return html`<dialog ref=${ref} aria-labelledby="confirm-title" onCancel=${onCancel}>
    <h2 id="confirm-title">${title}</h2>
    <div>${children}</div>
    <div class="actions">
      <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      <button
        type="button"
        class=${danger ? 'danger' : undefined}
        disabled=${confirmDisabled}
        onClick=${onConfirm}
      >
        ${confirmLabel}
      </button>
    </div>
  </dialog>`;
}
