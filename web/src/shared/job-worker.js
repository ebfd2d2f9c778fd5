// The worker side of job-client.js: a Web Worker that loads its own quantlab
// instance (the same npm package as the page) and runs a panel's session jobs
// one after another, so a long job never blocks the page. A { cancel: id }
// message marks a job to stop at its next check.
//
// Messages in:  { id, type, ... } (the session's jobs) or { cancel: id }
// Messages out: { id, progress } …, then { id, result } or { id, error } (the core's message)
import { init } from 'quantlab';

/**
 * Serves `createSession(getQuantlab)`'s jobs in this worker.
 * @param {(getQuantlab: () => Promise<import('quantlab').Quantlab>) => {
 *   handle(message: any, onProgress: (p: any) => void, isCancelled: () => boolean): Promise<any> }} createSession
 */
export function serveJobs(createSession) {
  /** @type {Promise<import('quantlab').Quantlab> | null} */
  let quantlab = null;
  const session = createSession(() => {
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
}
