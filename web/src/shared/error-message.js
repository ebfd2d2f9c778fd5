// Inline error display: an element with role="alert" that shows the core's
// message (a JS Error thrown by quantlab) or hides itself when cleared.
import { h, setText } from './dom.js';

/** The readable text of anything thrown. */
export function messageOf(error) {
  if (error instanceof Error) return error.message || String(error);
  return String(error);
}

/**
 * @param {{ testid?: string, className?: string }} [options]
 * @returns {{ el: HTMLElement, show(error: unknown): void, clear(): void }}
 */
export function createErrorMessage({ testid = 'error-message', className = '' } = {}) {
  const text = h('span', { class: 'alert__text' });
  const el = h(
    'p',
    { class: `alert ${className}`.trim(), role: 'alert', 'data-testid': testid, hidden: true },
    h('span', { class: 'alert__icon', 'aria-hidden': 'true' }, '!'),
    text,
  );
  return {
    el,
    show(error) {
      setText(text, messageOf(error));
      el.hidden = false;
    },
    clear() {
      setText(text, '');
      el.hidden = true;
    },
  };
}
