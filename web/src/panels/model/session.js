// The Model panel's jobs, run by its Web Worker (or on the main thread when
// workers are unavailable): hold the test images and one loaded model, run
// the sample predictions, and evaluate accuracy batch by batch with progress.
// No DOM here.
//
// Jobs:
//   { type: 'data', images: Uint8Array (N·28·28), labels: Int32Array (N) } → { count }
//   { type: 'load', bytes: Uint8Array, externalData?: { name: Uint8Array }, preprocessing }
//       → ModelInfo (see compat.js); the previous model is deleted
//   { type: 'predict', indices: number[] } → { logits: Float32Array (n·classes), classes, ms }
//   { type: 'evaluate' } → progress { done, total }… → EvalResult
import { cancelledError } from '../../shared/job-client.js';
import { EVAL_BATCH, IMAGE_SIZE, argmax, inputPlan, normalizationTable } from '../../shared/model-input.js';

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/**
 * @typedef {object} EvalResult
 * @property {number} total images evaluated
 * @property {number} correct
 * @property {number} accuracy percent
 * @property {number} classes
 * @property {number[]} confusion row = true class, column = predicted; classes² counts
 * @property {number} ms time spent in preprocessing and model.runSync
 * @property {number} batch images per call
 */

/** @param {() => Promise<import('quantlab').Quantlab>} getQuantlab */
export function createModelSession(getQuantlab) {
  /** @type {{ images: Uint8Array, labels: Int32Array, count: number } | null} */
  let data = null;
  /** @type {import('quantlab').Model | null} */
  let model = null;
  /** @type {{ plan: import('../../shared/model-input.js').InputPlan, table: Float32Array } | null} */
  let feed = null;

  function needData() {
    if (!data) throw new Error('the test images are not loaded');
    return data;
  }

  function needModel() {
    if (!model || !feed) throw new Error('no model is loaded');
    if (!feed.plan.ok) throw new Error(`This model cannot run on the test images: ${feed.plan.reason}`);
    return { model, plan: feed.plan, table: feed.table };
  }

  /**
   * Runs `indices` through the model in calls of `batch` images; returns the
   * logits, classes per image.
   */
  function runImages(indices, batchSize, plan, table, onBatch) {
    const { images } = needData();
    const logits = new Float32Array(indices.length * plan.classes);
    for (let start = 0; start < indices.length; start += batchSize) {
      const n = Math.min(batchSize, indices.length - start);
      const rows = plan.fixedBatch ?? n; // a fixed batch is padded with zero images
      const input = new Float32Array(rows * PIXELS);
      for (let i = 0; i < n; i += 1) {
        const offset = indices[start + i] * PIXELS;
        for (let p = 0; p < PIXELS; p += 1) input[i * PIXELS + p] = table[images[offset + p]];
      }
      const outputs = needModel().model.runSync({ [plan.inputName]: { data: input, shape: [rows, 1, IMAGE_SIZE, IMAGE_SIZE] } });
      const out = outputs[plan.outputName];
      if (!out) throw new Error(`the model gave no output named “${plan.outputName}”`);
      if (out.data.length !== rows * plan.classes || !(out.data instanceof Float32Array)) {
        throw new Error(`the output “${plan.outputName}” is ${out.type} [${out.shape.join(', ')}], expected float32 [${rows}, ${plan.classes}]`);
      }
      logits.set(out.data.subarray(0, n * plan.classes), start * plan.classes);
      onBatch?.(start + n);
    }
    return logits;
  }

  /**
   * @param {any} message
   * @param {(progress: { done: number, total: number }) => void} onProgress
   * @param {() => boolean} isCancelled
   */
  async function handle(message, onProgress, isCancelled) {
    switch (message.type) {
      case 'data': {
        const { images, labels } = message;
        if (images.length !== labels.length * PIXELS) throw new Error(`${labels.length} labels for ${images.length / PIXELS} images`);
        data = { images, labels, count: labels.length };
        return { count: data.count };
      }
      case 'load': {
        model?.delete();
        model = null;
        feed = null;
        const ql = await getQuantlab();
        // an empty externalData (not none): the core's message then names the missing file and the option
        model = await ql.loadModel(message.bytes, { externalData: message.externalData ?? {} });
        /** @type {import('../../shared/model-input.js').ModelInfo} */
        const info = { inputs: model.inputs, outputs: model.outputs, nodes: model.nodes, parameters: model.parameters, metadata: model.metadata };
        feed = { plan: inputPlan(info), table: normalizationTable(message.preprocessing) };
        return info;
      }
      case 'predict': {
        const { plan, table } = needModel();
        const t0 = performance.now();
        const logits = runImages(message.indices, plan.fixedBatch ?? message.indices.length, plan, table);
        return { logits, classes: plan.classes, ms: performance.now() - t0 };
      }
      case 'evaluate': {
        const { plan, table } = needModel();
        const { labels, count } = needData();
        const batch = plan.fixedBatch ?? EVAL_BATCH;
        const confusion = new Array(plan.classes * plan.classes).fill(0);
        let correct = 0;
        let ms = 0;
        onProgress({ done: 0, total: count });
        for (let start = 0; start < count; start += batch) {
          // let a cancel message in between batches (not timed)
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (isCancelled()) throw cancelledError();
          const n = Math.min(batch, count - start);
          const indices = Array.from({ length: n }, (_, i) => start + i);
          const t0 = performance.now();
          const logits = runImages(indices, batch, plan, table);
          ms += performance.now() - t0;
          for (let i = 0; i < n; i += 1) {
            const predicted = argmax(logits, i * plan.classes, plan.classes);
            const truth = labels[start + i];
            if (truth >= 0 && truth < plan.classes) confusion[truth * plan.classes + predicted] += 1;
            if (predicted === truth) correct += 1;
          }
          onProgress({ done: start + n, total: count });
        }
        return /** @type {EvalResult} */ ({ total: count, correct, accuracy: (100 * correct) / count, classes: plan.classes, confusion, ms, batch });
      }
      default:
        throw new Error(`unknown job '${message.type}'`);
    }
  }

  return { handle };
}
