// The Speed panel's Web Worker: loads its own quantlab instance (the same npm
// package as the page) and times one kernel case per message, so the page can
// show progress between cases and stays responsive while a case runs.
//
// Messages in:  { id, spec: BenchmarkSpec }
// Messages out: { id, result: BenchmarkResult } or { id, error } (the core's message)
import { init } from 'quantlab';

/** @type {Promise<import('quantlab').Quantlab> | null} */
let quantlab = null;

self.addEventListener('message', async (event) => {
  const { id, spec } = event.data;
  try {
    quantlab ??= init();
    const ql = await quantlab;
    self.postMessage({ id, result: ql.benchmarkKernel(spec) });
  } catch (error) {
    if (quantlab && !(await quantlab.then(() => true, () => false))) quantlab = null; // retry init next time
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
