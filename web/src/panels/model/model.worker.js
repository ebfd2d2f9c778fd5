// The Model panel's Web Worker: loads its own quantlab instance (the same npm
// package as the page), keeps the test images and one model, and runs the
// panel's jobs (session.js) one after another, so a long evaluation never
// blocks the page. A { cancel: id } message stops a running evaluation between
// two batches.
//
// Messages in:  { id, type, ... } (see session.js) or { cancel: id }
// Messages out: { id, progress } …, then { id, result } or { id, error } (the core's message)
import { init } from 'quantlab';
import { createModelSession } from './session.js';

/** @type {Promise<import('quantlab').Quantlab> | null} */
let quantlab = null;
const session = createModelSession(() => {
  quantlab ??= init().catch((error) => {
    quantlab = null; // retry init with the next job
    throw error;
  });
  return quantlab;
});
/** Ids of jobs asked to stop. */
const cancelled = new Set();
/** Jobs run one at a time, in the order they came. */
let queue = Promise.resolve();

self.addEventListener('message', (event) => {
  const message = event.data;
  if (message.cancel !== undefined) {
    cancelled.add(message.cancel);
    return;
  }
  const { id } = message;
  queue = queue.then(async () => {
    try {
      if (cancelled.has(id)) throw new Error('cancelled');
      const result = await session.handle(
        message,
        (progress) => self.postMessage({ id, progress }),
        () => cancelled.has(id),
      );
      self.postMessage({ id, result });
    } catch (error) {
      self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    } finally {
      cancelled.delete(id);
    }
  });
});
