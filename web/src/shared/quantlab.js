// The one quantlab instance of the page: init() runs once and every panel
// shares the result. A failed init can be retried (e.g. after a network error).
import { init } from 'quantlab';

/** @type {Promise<import('quantlab').Quantlab> | null} */
let pending = null;

/**
 * Returns the shared, initialised instance (starts loading on first call).
 * @returns {Promise<import('quantlab').Quantlab>}
 */
export function loadQuantlab() {
  if (!pending) {
    pending = init().catch((error) => {
      pending = null; // let a later call try again
      throw error;
    });
  }
  return pending;
}
