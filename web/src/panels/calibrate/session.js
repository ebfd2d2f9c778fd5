// The Calibrate panel's jobs, run by its Web Worker (or on the main thread
// when workers are unavailable): load a float model, calibrate and convert it
// with ql.quantizeModel, write the report (per-layer error, evaluation on the
// test images, sensitivity), time float against int8, and export the QDQ
// file and the recipe. Holds one float model and its quantized model, so
// "keep these layers in float" or "these layers at 4 bits" re-converts
// without calibrating again. No DOM.
//
// Jobs:
//   { type: 'quantize', bytes, externalData?, preprocessing, calib: Uint8Array (N·28·28),
//     test: { images: Uint8Array, labels: Int32Array }, options: QuantizeModelOptions
//     without calibration and onProgress, sensitivity: boolean, lowBits: boolean }
//       → progress { stage, done, total }… → Outcome
//   { type: 'convert', keepFloat?: string[], layerBits?: Record<string, number> }
//       → progress… → Outcome (without sensitivity and low-bit plan)
//   { type: 'release' } → null: deletes the models (the panel's main-thread copy, on unmount)
//
// Stages, in order: load, calibrate, convert, report, evaluate, sensitivity, low-bit plan, time.
import { cancelledError } from '../../shared/job-client.js';
import { IMAGE_SIZE, inputPlan, normalizationTable } from '../../shared/model-input.js';

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/**
 * Batch sizes timed. Each round times `perRound` calls of the float model,
 * then as many of the int8 one; the median over rounds of the time per call
 * is reported. Interleaving keeps a burst of other work on the machine from
 * landing on one model only.
 */
export const LATENCY_PLAN = [
  { batch: 1, rounds: 9, perRound: 20 },
  { batch: 32, rounds: 5, perRound: 2 },
];

/**
 * One timing: `runs` (= rounds × perRound) timed calls of each model after a warm-up.
 * @typedef {{ batch: number, runs: number, floatMs: number, int8Ms: number }} Latency
 */

/**
 * What a job gives back.
 * @typedef {object} Outcome
 * @property {'static' | 'dynamic'} mode
 * @property {import('quantlab').PtqLayer[]} layers
 * @property {{ op: string, name: string }[]} nodes the quantized graph as the engine runs it (per image; folded nodes left out)
 * @property {string[]} keepFloat
 * @property {Record<string, number>} layerBits
 * @property {import('quantlab').PtqReport} report
 * @property {Latency[]} latency
 * @property {Uint8Array} onnx the QDQ file
 * @property {Record<string, unknown>} recipe
 * @property {{ calibrateMs: number, reportMs: number }} timings
 */

/** Lets a cancel message in (the worker) and checks it. */
async function checkpoint(isCancelled) {
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (isCancelled()) throw cancelledError();
}

/** Images `0..count-1` of `u8` (N·28·28) as a float32 batch through `table`. */
function toBatch(u8, count, table) {
  const data = new Float32Array(count * PIXELS);
  for (let i = 0; i < data.length; i += 1) data[i] = table[u8[i]];
  return { data, shape: [count, 1, IMAGE_SIZE, IMAGE_SIZE] };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** ms per call of `a` and of `b`: medians over `rounds` interleaved rounds of `perRound` calls each. */
async function interleavedMs(a, b, { rounds, perRound }, isCancelled) {
  const perCall = (fn) => {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i += 1) fn();
    return (performance.now() - t0) / perRound;
  };
  perCall(a);
  perCall(b);
  const timesA = [];
  const timesB = [];
  for (let r = 0; r < rounds; r += 1) {
    timesA.push(perCall(a));
    timesB.push(perCall(b));
    await checkpoint(isCancelled);
  }
  return [median(timesA), median(timesB)];
}

/** @param {() => Promise<import('quantlab').Quantlab>} getQuantlab */
export function createCalibrateSession(getQuantlab) {
  /** @type {import('quantlab').Model | null} */
  let model = null;
  /** @type {import('quantlab').QuantizedModel | null} */
  let quantized = null;
  /** The normalized test set of the current model. */
  let evaluation = /** @type {{ data: Float32Array, shape: number[], labels: Int32Array } | null} */ (null);
  let inputName = '';

  function release() {
    quantized?.delete();
    quantized = null;
    model?.delete();
    model = null;
    evaluation = null;
  }

  /**
   * The report, the timings and the exports of the current quantized model.
   * @returns {Promise<Outcome>}
   */
  async function describe({ sensitivity, lowBits, onProgress, isCancelled, calibrateMs }) {
    const q = /** @type {import('quantlab').QuantizedModel} */ (quantized);
    const floatModel = /** @type {import('quantlab').Model} */ (model);
    const test = /** @type {NonNullable<typeof evaluation>} */ (evaluation);
    await checkpoint(isCancelled);
    const t0 = performance.now();
    // The core evaluates the test images through the float model
    // ('evaluate float'), then the quantized one ('evaluate int8'): one
    // 'evaluate' stage of 2 × total here, naming the model.
    const report = q.reportSync({
      evaluation: test,
      sensitivity,
      lowBits: lowBits && q.mode === 'static',
      onProgress: (p) => {
        if (p.stage !== 'evaluate float' && p.stage !== 'evaluate int8') {
          onProgress(p);
          return;
        }
        const pass = p.stage === 'evaluate int8' ? 1 : 0;
        onProgress({ stage: 'evaluate', done: pass * p.total + p.done, total: 2 * p.total, model: pass ? 'int8' : 'float' });
      },
    });
    const reportMs = performance.now() - t0;

    const latency = [];
    const steps = LATENCY_PLAN.length;
    onProgress({ stage: 'time', done: 0, total: steps });
    for (const [i, plan] of LATENCY_PLAN.entries()) {
      await checkpoint(isCancelled);
      const n = Math.min(plan.batch, test.shape[0]);
      const feeds = { [inputName]: { data: test.data.subarray(0, n * PIXELS), shape: [n, 1, IMAGE_SIZE, IMAGE_SIZE] } };
      const [floatMs, int8Ms] = await interleavedMs(() => floatModel.runSync(feeds), () => q.runSync(feeds), plan, isCancelled);
      latency.push({ batch: n, runs: plan.rounds * plan.perRound, floatMs, int8Ms });
      onProgress({ stage: 'time', done: i + 1, total: steps });
    }
    return {
      mode: q.mode,
      layers: q.layers,
      nodes: q.nodes.filter((n) => !n.folded).map((n) => ({ op: n.op, name: n.name })),
      keepFloat: [...q.keepFloat],
      layerBits: q.layerBits,
      report,
      latency,
      onnx: q.exportOnnx(),
      recipe: q.recipe(),
      timings: { calibrateMs, reportMs },
    };
  }

  /**
   * @param {any} message
   * @param {(progress: { stage: string, done: number, total: number }) => void} onProgress
   * @param {() => boolean} isCancelled
   * @returns {Promise<Outcome>}
   */
  async function handle(message, onProgress, isCancelled) {
    switch (message.type) {
      case 'quantize': {
        release();
        onProgress({ stage: 'load', done: 0, total: 1 });
        const ql = await getQuantlab();
        model = await ql.loadModel(message.bytes, { externalData: message.externalData ?? {} });
        const plan = inputPlan({ inputs: model.inputs, outputs: model.outputs, nodes: model.nodes, parameters: model.parameters, metadata: model.metadata });
        if (!plan.ok) throw new Error(`This model cannot be calibrated on the bundled Fashion-MNIST images: ${plan.reason}`);
        if (plan.fixedBatch !== null) {
          throw new Error(`This model's input has a fixed batch of ${plan.fixedBatch}; calibration, evaluation and timing feed batches of any size, so export it with a free batch dimension.`);
        }
        inputName = plan.inputName;
        const table = normalizationTable(message.preprocessing);
        const calibCount = message.calib.length / PIXELS;
        const calibration = toBatch(message.calib, calibCount, table);
        const { images, labels } = message.test;
        evaluation = { ...toBatch(images, labels.length, table), labels };
        onProgress({ stage: 'load', done: 1, total: 1 });
        await checkpoint(isCancelled);

        const t0 = performance.now();
        quantized = await ql.quantizeModel(model, {
          ...message.options,
          calibration,
          onProgress: (p) => {
            if (isCancelled()) throw cancelledError();
            onProgress(p);
          },
        });
        const calibrateMs = performance.now() - t0;
        return describe({ sensitivity: Boolean(message.sensitivity), lowBits: Boolean(message.lowBits), onProgress, isCancelled, calibrateMs });
      }
      case 'convert': {
        if (!quantized) throw new Error('there is no quantized model: press Calibrate first');
        onProgress({ stage: 'convert', done: 0, total: 1 });
        await checkpoint(isCancelled);
        const t0 = performance.now();
        if (message.keepFloat) quantized.setKeepFloat(message.keepFloat);
        if (message.layerBits) quantized.setLayerBits(message.layerBits);
        onProgress({ stage: 'convert', done: 1, total: 1 });
        return describe({ sensitivity: false, lowBits: false, onProgress, isCancelled, calibrateMs: performance.now() - t0 });
      }
      case 'release': {
        release();
        return /** @type {any} */ (null);
      }
      default:
        throw new Error(`unknown job '${message.type}'`);
    }
  }

  return { handle };
}
