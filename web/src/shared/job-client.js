// A client for a Web Worker that runs jobs one after another and reports
// progress while a long one runs (evaluating a model, calibrating). Unlike
// worker-client.js (only the newest request matters), every request here is
// answered, in order; a running job can be cancelled.
//
// Protocol: the client posts { id, ...message } or { cancel: id }; the worker
// answers { id, progress } any number of times, then { id, result } or
// { id, error: string }.
//
// If the worker cannot start (a failed script load, no module workers), the
// client switches to `fallback(message, onProgress, isCancelled)`, which does
// the same job on the main thread.
//
// cancel(id) is polite: the job stops at its next check. restart() is not: it
// terminates the worker (a job inside one long synchronous wasm call
// included), rejects every pending job as cancelled and starts a fresh worker,
// whose state (loaded models) is gone.

/** The Error a cancelled job rejects with (`error.cancelled` is true). */
export function cancelledError() {
  const error = new Error('cancelled');
  /** @type {any} */ (error).cancelled = true;
  return error;
}

/**
 * @template M, R, P
 * @param {() => Worker} makeWorker
 * @param {{ fallback?: (message: M, onProgress: (p: P) => void, isCancelled: () => boolean) => Promise<R> }} [options]
 */
export function createJobClient(makeWorker, { fallback } = {}) {
  /** @type {Worker | null} */
  let worker = null;
  let nextId = 1;
  /** Jobs sent and not answered yet, by id. */
  const pending = new Map();
  /** Ids of jobs cancelled while running on the main thread. */
  const cancelledIds = new Set();
  let mode = /** @type {'worker' | 'fallback'} */ ('worker');
  /** Fallback jobs run one at a time, as in the worker. */
  let fallbackQueue = Promise.resolve();
  /** Ids of jobs queued or running on the main thread. */
  const fallbackIds = new Set();

  startWorker();

  function startWorker() {
    try {
      worker = makeWorker();
      listen(worker);
    } catch (error) {
      switchToFallback(error instanceof Error ? error.message : String(error));
    }
  }

  /** @param {Worker} w */
  function listen(w) {
    w.addEventListener('message', (event) => {
      const { id, progress, result, error } = event.data ?? {};
      const job = pending.get(id);
      if (!job) return;
      if (progress !== undefined) {
        job.onProgress?.(progress);
        return;
      }
      pending.delete(id);
      if (error !== undefined) job.reject(error === 'cancelled' ? cancelledError() : new Error(error));
      else job.resolve(result);
    });
    w.addEventListener('error', (event) => {
      event.preventDefault?.();
      if (w === worker) switchToFallback(event.message || 'the worker failed to start');
    });
  }

  function switchToFallback(reason) {
    worker?.terminate();
    worker = null;
    const lost = [...pending.entries()];
    pending.clear();
    if (!fallback) {
      for (const [, job] of lost) job.reject(new Error(reason));
      return;
    }
    mode = 'fallback';
    for (const [id, job] of lost) runFallback(id, job); // re-run, in order
  }

  function runFallback(id, job) {
    fallbackIds.add(id);
    const run = async () => {
      try {
        if (cancelledIds.has(id)) throw cancelledError();
        job.resolve(await fallback(job.message, (p) => job.onProgress?.(p), () => cancelledIds.has(id)));
      } catch (error) {
        job.reject(error);
      } finally {
        cancelledIds.delete(id);
        fallbackIds.delete(id);
      }
    };
    // a macrotask first, so the caller's code after request() runs before the job
    fallbackQueue = fallbackQueue.then(() => new Promise((r) => setTimeout(r, 0))).then(run);
  }

  return {
    /**
     * Sends a job; resolves with its result, rejects with its Error (`cancelled`
     * set when cancelled).
     * @param {M} message
     * @param {{ onProgress?: (p: P) => void, transfer?: Transferable[] }} [options]
     * @returns {{ id: number, promise: Promise<R> }}
     */
    start(message, { onProgress, transfer = [] } = {}) {
      const id = nextId++;
      const promise = new Promise((resolve, reject) => {
        const job = { message, onProgress, resolve, reject };
        if (mode === 'worker' && worker) {
          pending.set(id, job);
          worker.postMessage({ id, ...message }, transfer);
        } else if (fallback) {
          runFallback(id, job);
        } else {
          reject(new Error('the worker is not available'));
        }
      });
      return { id, promise };
    },
    /** Sends a job and returns its promise (see start()). */
    request(message, options) {
      return this.start(message, options).promise;
    },
    /** Asks a job to stop; it rejects with cancelledError() when it does. */
    cancel(id) {
      if (mode === 'worker' && worker) worker.postMessage({ cancel: id });
      else cancelledIds.add(id);
    },
    /**
     * Stops every job now: terminates the worker, rejects its pending jobs with
     * cancelledError() and starts a fresh worker for the next job (the old
     * one's state is lost). On the main thread it cancels every job instead
     * (each stops at its next check).
     */
    restart() {
      if (mode === 'worker' && worker) {
        worker.terminate();
        worker = null;
        const lost = [...pending.values()];
        pending.clear();
        for (const job of lost) job.reject(cancelledError());
        startWorker();
      } else {
        for (const id of fallbackIds) cancelledIds.add(id);
      }
    },
    /** Where jobs run now. */
    get mode() {
      return mode;
    },
    /** Stops the worker; pending jobs never settle. */
    terminate() {
      worker?.terminate();
      worker = null;
      pending.clear();
    },
  };
}
