// How the page feeds the Fashion-MNIST images to a model (the Model and
// Calibrate panels), and the small maths around it (normalization, softmax,
// shape text). No DOM here: the Web Workers and the page both use it.

/** Height and width of a Fashion-MNIST image. */
export const IMAGE_SIZE = 28;
/** Classes of Fashion-MNIST. */
export const CLASS_COUNT = 10;
/** Images per model call when the batch dimension is free. */
export const EVAL_BATCH = 50;

/**
 * The plain description of a loaded model (what the worker sends back).
 * @typedef {object} ModelInfo
 * @property {import('quantlab').ModelValueInfo[]} inputs
 * @property {import('quantlab').ModelValueInfo[]} outputs
 * @property {import('quantlab').ModelNode[]} nodes
 * @property {number} parameters
 * @property {{ irVersion: number, opset: number, producer: string }} metadata
 */

/**
 * How to run the test images through a model, or why that is not possible.
 * @typedef {{ ok: true, inputName: string, outputName: string, fixedBatch: number | null, classes: number }
 *         | { ok: false, reason: string }} InputPlan
 */

const isFree = (d) => typeof d !== 'number';

/**
 * Checks that a model takes one float32 [N, 1, 28, 28] input and gives 10
 * scores per image.
 * @param {ModelInfo} info
 * @returns {InputPlan}
 */
export function inputPlan(info) {
  if (info.inputs.length !== 1) {
    return { ok: false, reason: `it has ${info.inputs.length} inputs (${info.inputs.map((i) => i.name).join(', ')}), and the test images are one tensor.` };
  }
  const input = info.inputs[0];
  const want = `N×1×${IMAGE_SIZE}×${IMAGE_SIZE}`;
  if (input.type !== 'float32') {
    return { ok: false, reason: `its input “${input.name}” is ${input.type}, and the test images are fed as float32 ${want}.` };
  }
  const s = input.shape;
  const fits = (d, n) => isFree(d) || d === n;
  if (!s || s.length !== 4 || !fits(s[1], 1) || !fits(s[2], IMAGE_SIZE) || !fits(s[3], IMAGE_SIZE) || (!isFree(s[0]) && s[0] < 1)) {
    return { ok: false, reason: `its input “${input.name}” has shape ${shapeText(s, { batch: null })}, and the test images are ${want} (one 28×28 grayscale image per item).` };
  }
  const output = info.outputs[0];
  if (!output) return { ok: false, reason: 'it has no outputs.' };
  const producer = info.nodes.find((n) => n.outputs.includes(output.name));
  const batchOneShape = producer?.outputShapes[producer.outputs.indexOf(output.name)] ?? null;
  const last = output.shape?.at(-1);
  const classes = typeof last === 'number' ? last : batchOneShape?.at(-1) ?? null;
  if (classes !== CLASS_COUNT || (output.shape && output.shape.length !== 2)) {
    return {
      ok: false,
      reason: `its output “${output.name}” has shape ${shapeText(output.shape, { batch: null })}, and a Fashion-MNIST classifier gives N×${CLASS_COUNT} scores.`,
    };
  }
  return { ok: true, inputName: input.name, outputName: output.name, fixedBatch: isFree(s[0]) ? null : /** @type {number} */ (s[0]), classes };
}

/**
 * A shape as text, "N×16×14×14". `batch`: the name shown for the first
 * dimension when it is the batch (null: show every dimension as it is).
 * @param {Array<number | string | null> | null | undefined} shape
 * @param {{ batch?: string | null }} [options]
 */
export function shapeText(shape, { batch = 'N' } = {}) {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  return shape
    .map((d, i) => {
      if (i === 0 && batch !== null) return batch;
      if (d === null || d === undefined) return '?';
      return typeof d === 'number' ? String(d) : d;
    })
    .join('×');
}

/**
 * Whether a node's output (batch-1 shape from the package) carries the batch:
 * it does when the model's input batch is free and the tensor is computed per
 * image, rank 2 or more with 1 in front.
 * @param {import('quantlab').ModelNode} node
 * @param {(number | null)[] | null} shape
 * @param {boolean} freeBatch
 */
export function hasBatchDim(node, shape, freeBatch) {
  return freeBatch && !node.folded && !!shape && shape.length >= 2 && shape[0] === 1;
}

/**
 * Lookup table pixel → model input, in float32 as the reference does:
 * x = (u8 / 255 − mean) / std, every step rounded to float32.
 * @param {{ scale: number, mean: number, std: number }} pre
 */
export function normalizationTable(pre) {
  const divisor = 1 / pre.scale;
  const exactDivisor = Math.abs(divisor - Math.round(divisor)) < 1e-9 ? Math.round(divisor) : null;
  const f = Math.fround;
  const mean = f(pre.mean);
  const std = f(pre.std);
  const table = new Float32Array(256);
  for (let u = 0; u < 256; u += 1) {
    const x = exactDivisor !== null ? f(u / exactDivisor) : f(u * f(pre.scale));
    table[u] = f(f(x - mean) / std);
  }
  return table;
}

/**
 * Softmax of one row of logits, stable (max subtracted).
 * @param {ArrayLike<number>} logits
 * @returns {Float64Array}
 */
export function softmax(logits) {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i += 1) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i += 1) out[i] /= sum;
  return out;
}

/** Index of the largest value (the first on ties, as numpy.argmax). NaN never wins. */
export function argmax(values, start = 0, length = values.length - start) {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i += 1) {
    const v = values[start + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
