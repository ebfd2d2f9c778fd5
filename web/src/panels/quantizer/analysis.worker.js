// The Quantizer panel's Web Worker: loads its own quantlab instance (the same
// npm package as the page), builds or receives the data and runs analyze().
// At 100k samples an analysis takes 100–200 ms, too long for the main thread.
//
// Messages in:  { id, data: DataSpec, settings }  (DataSpec: see data-spec.js)
// Messages out: { id, result } or { id, error } (the core's message)
import { init } from 'quantlab';
import { analyze } from './analysis.js';
import { dataKey, materialize } from './data-spec.js';

/** @type {Promise<import('quantlab').Quantlab> | null} */
let quantlab = null;
/** The last data set, so changing an option does not rebuild it. */
let cached = { key: '', data: new Float32Array(0) };

self.addEventListener('message', async (event) => {
  const { id, data: spec, settings } = event.data;
  try {
    quantlab ??= init();
    const ql = await quantlab;
    const key = dataKey(spec);
    if (key !== cached.key) cached = { key, data: materialize(spec) };
    const result = analyze(ql, cached.data, settings);
    self.postMessage({ id, result });
  } catch (error) {
    if (quantlab && !(await quantlab.then(() => true, () => false))) quantlab = null; // retry init next time
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
