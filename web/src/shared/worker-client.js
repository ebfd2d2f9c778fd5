// A client for a request/response Web Worker where only the newest request
// matters (a slider being dragged): one request runs at a time, and while it
// runs only the newest waiting request is kept; older waiting ones resolve as
// superseded without being sent.
//
// Protocol: the client posts { id, ...message }; the worker answers
// { id, result } or { id, error: string }.
//
// If the worker cannot start (a failed script load, no module workers), the
// client switches to `fallback`, which computes the same thing on the main
// thread, and re-runs the request there.

/**
 * @template M, R
 * @param {() => Worker} makeWorker
 * @param {{ fallback?: (message: M) => Promise<R> | R }} [options]
 */
export function createLatestClient(makeWorker, { fallback } = {}) {
  /** @type {Worker | null} */
  let worker = null;
  let nextId = 1;
  /** @type {{ id: number, message: M, resolve: Function, reject: Function } | null} */
  let running = null;
  /** @type {{ message: M, resolve: Function, reject: Function } | null} */
  let waiting = null;
  let mode = /** @type {'worker' | 'fallback'} */ ('worker');

  try {
    worker = makeWorker();
    worker.addEventListener('message', (event) => {
      const { id, result, error } = event.data ?? {};
      if (!running || id !== running.id) return;
      const done = running;
      running = null;
      if (error !== undefined) done.reject(new Error(error));
      else done.resolve({ status: 'done', value: result });
      pump();
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      switchToFallback(event.message || 'the worker failed to start');
    });
  } catch (error) {
    switchToFallback(error instanceof Error ? error.message : String(error));
  }

  function switchToFallback(reason) {
    worker?.terminate();
    worker = null;
    if (!fallback) {
      const failed = running;
      running = null;
      failed?.reject(new Error(reason));
      return;
    }
    mode = 'fallback';
    if (running) {
      // re-run the request that was lost with the worker
      waiting ??= { message: running.message, resolve: running.resolve, reject: running.reject };
      running = null;
    }
    pump();
  }

  function pump() {
    if (running || !waiting) return;
    const job = waiting;
    waiting = null;
    running = { id: nextId++, ...job };
    if (mode === 'worker' && worker) {
      worker.postMessage({ id: running.id, ...job.message });
      return;
    }
    if (!fallback) {
      running = null;
      job.reject(new Error('the worker is not available'));
      return;
    }
    const current = running;
    // a macrotask, so a burst of requests coalesces as it does with the worker
    setTimeout(async () => {
      try {
        current.resolve({ status: 'done', value: await fallback(job.message) });
      } catch (error) {
        current.reject(error);
      } finally {
        if (running === current) running = null;
        pump();
      }
    }, 0);
  }

  return {
    /**
     * Queues a request (replacing a waiting one).
     * @param {M} message
     * @returns {Promise<{ status: 'done', value: R } | { status: 'superseded' }>}
     */
    request(message) {
      return new Promise((resolve, reject) => {
        waiting?.resolve({ status: 'superseded' });
        waiting = { message, resolve, reject };
        pump();
      });
    },
    /** Where requests run now. */
    get mode() {
      return mode;
    },
    /** Stops the worker; pending requests never settle. */
    terminate() {
      worker?.terminate();
      worker = null;
      running = null;
      waiting = null;
    },
  };
}
