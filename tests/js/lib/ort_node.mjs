// onnxruntime-node as a reference engine for the JS tests: run an ONNX model
// on the CPU execution provider and get its outputs as plain objects.
//
//   import { runOrt } from './lib/ort_node.mjs';
//   const out = await runOrt('models/fashion_cnn.onnx', { input: { data, shape: [1, 1, 28, 28] } });
//   out.logits;   // { data: Float32Array, dims: [1, 10], type: 'float32' }
//
// onnxruntime-node is a devDependency installed with `npm ci --ignore-scripts`:
// its CPU binaries (bin/napi-v6/<platform>/<arch>/) are in the npm tarball; the
// skipped postinstall script only fetches the optional CUDA/TensorRT providers.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

export { ort };

// Typed array -> ONNX Runtime tensor type, for feeds given without `type`.
const TYPE_OF = new Map([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
  [Int16Array, 'int16'],
  [Uint16Array, 'uint16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
  [BigInt64Array, 'int64'],
  [BigUint64Array, 'uint64'],
]);

/** One feed as an ort.Tensor: an ort.Tensor, or { data, shape | dims, type? }. */
function toTensor(name, feed) {
  if (feed instanceof ort.Tensor) return feed;
  const dims = feed.dims ?? feed.shape;
  if (!feed || !ArrayBuffer.isView(feed.data) || !Array.isArray(dims)) {
    throw new Error(`runOrt: feed '${name}' must be an ort.Tensor or { data: TypedArray, shape|dims: number[], type? }`);
  }
  const type = feed.type ?? TYPE_OF.get(feed.data.constructor);
  if (!type) throw new Error(`runOrt: feed '${name}': give a type for ${feed.data.constructor.name}`);
  return new ort.Tensor(type, feed.data, dims);
}

/**
 * Creates a CPU session. `model` is a path or the model's bytes (Uint8Array /
 * Buffer / ArrayBuffer). Options: graphOptimizationLevel ('disabled' | 'basic'
 * | 'extended' | 'all', default 'all', as onnxruntime), intraOpNumThreads
 * (default 1: the test machines share their cores), optimizedModelFilePath
 * (writes the graph ORT actually runs, e.g. to see whether QDQ was fused into
 * QLinearConv), and any other ort.InferenceSession.SessionOptions.
 */
export async function createOrtSession(model, options = {}) {
  const { graphOptimizationLevel = 'all', intraOpNumThreads = 1, ...rest } = options;
  const sessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel,
    intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...rest,
  };
  if (typeof model === 'string') return ort.InferenceSession.create(model, sessionOptions);
  const bytes = model instanceof ArrayBuffer ? new Uint8Array(model) : new Uint8Array(model.buffer, model.byteOffset, model.byteLength);
  return ort.InferenceSession.create(bytes, sessionOptions);
}

/**
 * Runs `model` (path or bytes) once on `feeds` ({ name: ort.Tensor | { data, shape|dims, type? } })
 * and returns every output as { name: { data, dims, type } } (data: a typed array,
 * copied out of ORT's buffer; dims: plain numbers). `options` as createOrtSession,
 * plus `outputs`: a list of output names to fetch (default all).
 */
export async function runOrt(model, feeds, options = {}) {
  const { outputs, ...sessionOptions } = options;
  const session = await createOrtSession(model, sessionOptions);
  try {
    const ortFeeds = {};
    for (const [name, feed] of Object.entries(feeds)) ortFeeds[name] = toTensor(name, feed);
    const result = outputs ? await session.run(ortFeeds, outputs) : await session.run(ortFeeds);
    const out = {};
    for (const [name, t] of Object.entries(result)) {
      out[name] = { data: t.data.slice(), dims: t.dims.map(Number), type: t.type };
      t.dispose?.();
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Bytes of a model file, for callers that want to load once and run many times. */
export function readModel(path) {
  return new Uint8Array(readFileSync(path));
}
