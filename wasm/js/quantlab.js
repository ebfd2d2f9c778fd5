// quantlab — the npm package's entry point: one async init() that checks for
// WebAssembly SIMD, loads the core and returns the API. Every call goes through
// `call()`, the single place where native errors become JS `Error`s.
import createQuantlabCore from './quantlab_core.js';

const VERSION = '__QUANTLAB_VERSION__';

// A module whose one function uses i8x16.splat and i8x16.popcnt: it validates
// only where WebAssembly SIMD128 is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

// A module whose one function is `try catch_all end`: it validates only where
// WebAssembly exception handling is supported (the core throws and catches
// C++ exceptions as WebAssembly exceptions).
const EXCEPTIONS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11]);

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

/** True when this JavaScript engine supports WebAssembly SIMD128. */
export function simdSupported() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

// Node: read the .wasm next to this file ourselves; the glue is built for the
// web and would try to fetch() a file path (TOOLCHAIN.md traps 4, 5). node:fs is
// reached through getBuiltinModule so bundlers never pull it into a browser build.
async function readWasmInNode() {
  const url = new URL('./quantlab_core.wasm', import.meta.url);
  const fs = process.getBuiltinModule ? process.getBuiltinModule('fs') : await import(/* @vite-ignore */ ['node', 'fs'].join(':'));
  return fs.readFileSync(url);
}

function call(core, fn, ...args) {
  const result = core[fn](...args);
  if (core.hasError()) throw new Error(core.takeError());
  return result;
}

function checkFormat(format) {
  if (typeof format !== 'string') throw new Error(`format must be a string such as "fp32", got ${typeof format}`);
  return format;
}

// --- kernels: argument checks of the kernel methods -------------------------
function checkKernelImpl(impl) {
  if (impl !== undefined && impl !== 'scalar' && impl !== 'simd') throw new Error(`impl must be "scalar" or "simd", got ${JSON.stringify(impl)}`);
}

function checkKernelNumber(v, name) {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be a finite number, got ${v}`);
  return v;
}

function checkKernelArray(v, name) {
  if (!ArrayBuffer.isView(v) && !Array.isArray(v)) throw new Error(`${name} must be a typed array or an array of numbers`);
  return v;
}
// --- end kernels ------------------------------------------------------------

// --- quantization: options and the observer wrapper --------------------------
const QUANT_OPTIONS = ['scheme', 'bits', 'signed', 'narrowRange', 'granularity', 'axis', 'groupSize', 'observer', 'percentile', 'momentum', 'bins', 'rounding', 'seed'];

// Unknown option names are errors, not silently ignored typos.
function quantOptions(options, allowed = QUANT_OPTIONS) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error('options must be an object');
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`unknown option '${key}' (expected one of ${allowed.join(', ')})`);
  }
  return options;
}

// --- models: tensors across the boundary and the Model wrapper ---------------
// Typed array class of each tensor type; tensors cross as bytes + type + shape.
const TYPED_ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array,
};

const TYPE_OF_ARRAY = new Map(
  Object.entries(TYPED_ARRAYS)
    .filter(([type]) => type !== 'bool' && type !== 'float16')
    .map(([type, Ctor]) => [Ctor, type]),
);

function typeOfArray(data) {
  const type = TYPE_OF_ARRAY.get(data.constructor);
  if (type) return type;
  // Subclasses such as Node's Buffer.
  for (const [Ctor, name] of TYPE_OF_ARRAY) if (data instanceof Ctor) return name;
  return null;
}

function encodeTensor(name, tensor, declared) {
  if (tensor === null || typeof tensor !== 'object') throw new Error(`input '${name}' must be { data, shape }`);
  const { shape } = tensor;
  let { data } = tensor;
  if (!Array.isArray(shape)) throw new Error(`input '${name}': shape must be an array of integers`);
  let type = tensor.type ?? (ArrayBuffer.isView(data) ? typeOfArray(data) : declared?.type ?? 'float32');
  if (type === 'float') type = 'float32';
  const Ctor = TYPED_ARRAYS[type];
  if (!Ctor) throw new Error(`input '${name}': unknown type '${type}'`);
  if (Array.isArray(data)) data = type === 'int64' || type === 'uint64' ? Ctor.from(data, (v) => BigInt(v)) : Ctor.from(data);
  else if (!ArrayBuffer.isView(data)) throw new Error(`input '${name}': data must be a typed array or an array of numbers`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { bytes, type, shape };
}

// Run inputs and outputs cross through wasm memory (wasm/bindings/run_stage.cpp):
// shapes through a small Float64Array the core owns, bytes copied straight into
// the tensors the run reads. Embind objects would cost ~40 emval calls, ~30 µs, a run.
const STAGES = new WeakMap();

function stageOf(core) {
  let stage = STAGES.get(core);
  if (!stage) {
    const types = core.stageTypes();
    stage = { types, codes: new Map(types.map((t, i) => [t, i])), args: core.stageArgs() };
    STAGES.set(core, stage);
  }
  // Memory growth detaches the old view.
  if (stage.args.length === 0) stage.args = core.stageArgs();
  return stage;
}

function shapeLabel(shape) {
  return shape.length === 0 ? 'scalar' : shape.join('\u00d7');
}

/**
 * Copies one tensor { data, shape } named `name` into the core's stage at
 * `position`; `fresh` (the first of a call) drops what a failed call left.
 */
function stageTensor(core, name, tensor, declared, position, fresh) {
  const { bytes, type, shape } = encodeTensor(name, tensor, declared);
  if (shape.length > 8) throw new Error(`input '${name}': rank ${shape.length} is above 8`);
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 0 && d <= 1e12)) throw new Error(`input '${name}': shape entries must be integers >= 0`);
  }
  const stage = stageOf(core);
  stage.args[0] = shape.length;
  for (let d = 0; d < shape.length; d += 1) stage.args[1 + d] = shape[d];
  const target = call(core, 'stageInput', position, stage.codes.get(type), fresh);
  if (target.byteLength !== bytes.byteLength) {
    const size = TYPED_ARRAYS[type].BYTES_PER_ELEMENT;
    throw new Error(`input '${name}': shape ${shapeLabel(shape)} needs ${target.byteLength / size} values, got ${bytes.byteLength / size}`);
  }
  target.set(bytes);
}

/** Copies feeds { name: { data, shape } } into the core's stage, by position among `declared`. */
function stageFeeds(core, feeds, declared) {
  if (feeds === null || typeof feeds !== 'object') throw new Error('run() expects { inputName: { data, shape } }');
  let fresh = true;
  for (const [name, tensor] of Object.entries(feeds)) {
    const position = declared.findIndex((i) => i.name === name);
    if (position < 0) throw new Error(`the model has no input '${name}'`);
    stageTensor(core, name, tensor, declared[position], position, fresh);
    fresh = false;
  }
  if (fresh) call(core, 'stageClear');
}

/** The `count` outputs of the last staged run, named as `declared` lists them. */
function stagedOutputs(core, count, declared) {
  const result = {};
  for (let i = 0; i < count; i += 1) {
    const view = call(core, 'stagedOutput', i);
    const { args, types } = stageOf(core);
    const type = types[args[0]];
    const shape = [];
    for (let d = 0; d < args[1]; d += 1) shape.push(args[2 + d]);
    const Ctor = TYPED_ARRAYS[type] ?? Uint8Array;
    const data = new Ctor(view.byteLength / Ctor.BYTES_PER_ELEMENT);
    new Uint8Array(data.buffer).set(view);
    result[declared[i].name] = { data, shape, type };
  }
  call(core, 'stageClear');
  return result;
}

/** Runs a staged model through `fn` ('modelRun' or 'ptqRun'). */
function runStaged(core, fn, handle, feeds, info) {
  stageFeeds(core, feeds, info.inputs);
  return stagedOutputs(core, call(core, fn, handle), info.outputs);
}

/**
 * A loaded ONNX model: checked, shapes inferred, constants folded, weights packed.
 * Owns wasm memory: call delete() when done.
 */
// The wasm handle of each live Model, for the PTQ calls that take a model.
const MODEL_HANDLES = new WeakMap();

function modelHandle(model) {
  if (!(model instanceof Model)) throw new Error('expected a Model from loadModel()');
  const handle = MODEL_HANDLES.get(model);
  if (!handle) throw new Error('this model was deleted');
  return handle;
}

class Model {
  #core;
  #handle;
  #info;

  constructor(core, handle) {
    this.#core = core;
    this.#handle = handle;
    this.#info = call(core, 'modelInfo', handle);
    MODEL_HANDLES.set(this, handle);
  }

  #live() {
    if (!this.#handle) throw new Error('this model was deleted');
    return this.#handle;
  }

  /** Graph inputs: [{ name, type, shape }], symbolic dims as strings, unknown as null. */
  get inputs() {
    return this.#info.inputs;
  }

  get outputs() {
    return this.#info.outputs;
  }

  /** Every node: { index, name, op, domain, inputs, outputs, outputShapes (batch 1), outputTypes, parameters, flops, folded }. */
  get nodes() {
    return this.#info.nodes;
  }

  /** Total number of weights (elements of all initializers). */
  get parameters() {
    return this.#info.parameters;
  }

  /** { irVersion, opset, producer }. */
  get metadata() {
    const { irVersion, opset, producer } = this.#info;
    return { irVersion, opset, producer };
  }

  /** Runs the model: feeds { name: { data, shape } } → outputs { name: { data, shape, type } }. */
  async run(feeds) {
    return this.runSync(feeds);
  }

  /** run() without the Promise, for Web Workers that batch many calls. */
  runSync(feeds) {
    return runStaged(this.#core, 'modelRun', this.#live(), feeds, this.#info);
  }

  /** Time of each node: runs the model `runs` times, returns [{ index, name, op, ms }] (median per node). */
  profile(feeds, { runs = 10 } = {}) {
    stageFeeds(this.#core, feeds, this.#info.inputs);
    return call(this.#core, 'modelProfile', this.#live(), runs);
  }

  /** Frees the model's wasm memory; later calls throw. */
  delete() {
    if (this.#handle) {
      this.#handle.delete();
      this.#handle = null;
      MODEL_HANDLES.delete(this);
    }
  }
}
// --- end models -------------------------------------------------------------

// --- post-training quantization (core/ptq; see core/docs/ptq.md) -------------
const PTQ_OPTIONS = ['mode', 'calibration', 'samples', 'batchSize', 'activations', 'weights', 'keepFloat', 'onProgress'];
const PTQ_ACTIVATION_OPTIONS = ['scheme', 'type', 'observer', 'percentile', 'momentum', 'bins'];
const PTQ_WEIGHT_OPTIONS = ['scheme', 'bits', 'granularity', 'observer', 'percentile', 'bins', 'layerBits'];
const REPORT_OPTIONS = ['evaluation', 'sensitivity', 'lowBits', 'onProgress'];

/** The accuracy budget of a report search option (true or { budget }); default half a point. */
function searchBudget(option, name) {
  const budget = typeof option === 'object' && option !== null ? option.budget ?? 0.005 : 0.005;
  if (typeof budget !== 'number' || !(budget >= 0)) throw new Error(`${name}.budget must be a number >= 0`);
  return budget;
}

function checkKeys(obj, allowed, what) {
  if (obj === undefined) return {};
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${what} must be an object`);
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new Error(`unknown ${what} '${key}' (expected one of ${allowed.join(', ')})`);
  }
  return obj;
}

// Reports are JSON from the core; non-finite numbers arrive as strings.
function parseReport(text) {
  const special = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };
  return JSON.parse(text, (key, value) => (typeof value === 'string' && value in special ? special[value] : value));
}

/**
 * The calibration samples of the model's input `name`: { data, shape } or an
 * array of them, or, as run() takes inputs, { [name]: those }.
 */
function calibrationSamples(calibration, name) {
  if (calibration === null || typeof calibration !== 'object' || Array.isArray(calibration) || 'shape' in calibration) {
    return calibration;
  }
  const keys = Object.keys(calibration);
  if (keys.length === 1 && keys[0] === name) return calibration[name];
  throw new Error(`calibration must be { data: Float32Array, shape: [N, ...] } for the model's input '${name}' ` +
                  `(or { '${name}': { data, shape } }); got an object with ${keys.length ? `keys ${keys.map((k) => `'${k}'`).join(', ')}` : 'no keys'}`);
}

/** Splits { data, shape: [N, ...] } (or an array of such batches) into batches of at most `batch` samples. */
function* sampleBatches(calibration, limit, batch) {
  const list = Array.isArray(calibration) ? calibration : [calibration];
  let left = limit;
  for (const t of list) {
    if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || t.shape.length < 1) {
      throw new Error('calibration must be { data: Float32Array, shape: [N, ...] } or an array of them');
    }
    const n = t.shape[0];
    const per = n > 0 ? t.data.length / n : 0;
    if (!Number.isInteger(per)) throw new Error(`calibration data holds ${t.data.length} values, not a multiple of ${n} samples`);
    for (let i = 0; i < n && left > 0; i += batch) {
      const count = Math.min(batch, n - i, left);
      left -= count;
      yield { data: t.data.subarray(i * per, (i + count) * per), shape: [count, ...t.shape.slice(1)] };
    }
  }
}

function countSamples(calibration, limit) {
  const list = Array.isArray(calibration) ? calibration : [calibration];
  return Math.min(limit, list.reduce((n, t) => n + (t?.shape?.[0] ?? 0), 0));
}

const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A quantized model (see Quantlab.quantizeModel). It runs on the int8 kernels,
 * reports where the error is, and exports as a QDQ ONNX file. Owns wasm memory:
 * call delete() when done.
 */
class QuantizedModel {
  #core;
  #handle;
  #state;

  constructor(core, handle, state) {
    this.#core = core;
    this.#handle = handle;
    this.#state = state;
  }

  #live() {
    if (!this.#handle) throw new Error('this quantized model was deleted');
    return this.#handle;
  }

  /** 'static' or 'dynamic'. */
  get mode() {
    return this.#state.mode;
  }

  /** The quantizable layers: { name, opType, activation, input, output, flops, weightElements, quantized }. */
  get layers() {
    return this.#state.layers;
  }

  /** Layers kept in float. */
  get keepFloat() {
    return this.#state.keepFloat;
  }

  /** Per-layer weight bit widths that replace weights.bits ({ layerName: bits }). */
  get layerBits() {
    return { ...this.#state.layerBits };
  }

  get inputs() {
    return this.#state.info.inputs;
  }

  get outputs() {
    return this.#state.info.outputs;
  }

  /** The nodes as the engine runs them (QDQ patterns fused into integer ops). */
  get nodes() {
    return this.#state.info.nodes;
  }

  async run(feeds) {
    return this.runSync(feeds);
  }

  runSync(feeds) {
    return runStaged(this.#core, 'ptqRun', this.#live(), feeds, this.#state.info);
  }

  /**
   * Re-converts with these layers kept in float (the calibration is reused).
   * Returns this model.
   */
  setKeepFloat(names) {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new Error('setKeepFloat expects an array of layer names');
    const result = call(this.#core, 'ptqConvert', this.#live(), names, undefined);
    this.#state = { ...this.#state, ...result };
    return this;
  }

  /**
   * Re-converts with these per-layer weight bit widths ({ layerName: bits },
   * replacing the current ones; {} puts every layer back at weights.bits), for
   * example a report's lowBits.plan. The calibration is reused. Returns this model.
   */
  setLayerBits(bits) {
    if (bits === null || typeof bits !== 'object' || Array.isArray(bits)) throw new Error('setLayerBits expects an object of layer name -> bits');
    const result = call(this.#core, 'ptqConvert', this.#live(), undefined, bits);
    this.#state = { ...this.#state, ...result };
    return this;
  }

  /**
   * The numeric-suite report on the first calibration samples: per layer the
   * isolated and propagated SQNR, weight and activation ranges with histograms;
   * model sizes. With `evaluation: { data, shape, labels }`: float vs quantized
   * accuracy, agreement and disagreeing indices; with `sensitivity: true` or
   * `{ budget }` (accuracy drop as a fraction, default 0.005): per-layer
   * sensitivity and a mixed-precision plan. With `lowBits: true` or
   * `{ budget }` (static mode): per layer, the accuracy with its weights at
   * 4 bits, and the layers that can take 4-bit weights within the budget.
   */
  async report(options = {}) {
    return this.reportSync(options);
  }

  reportSync(options = {}) {
    const { evaluation, sensitivity, lowBits, onProgress } = checkKeys(options, REPORT_OPTIONS, 'report option');
    let labels;
    if (evaluation !== undefined) {
      if (evaluation === null || typeof evaluation !== 'object' || !evaluation.labels) throw new Error('evaluation must be { data, shape, labels }');
      labels = Array.from(evaluation.labels, Number);
    }
    const budget = searchBudget(sensitivity, 'sensitivity');
    const lowBudget = searchBudget(lowBits, 'lowBits');
    const progress = typeof onProgress === 'function' ? (stage, done, total) => onProgress({ stage, done, total }) !== false : undefined;
    const handle = this.#live();
    // The evaluation images cross as a staged input (position 0).
    if (labels) stageTensor(this.#core, 'evaluation', { data: evaluation.data, shape: evaluation.shape }, undefined, 0, true);
    const text = call(this.#core, 'ptqReport', handle, Boolean(labels), labels, Boolean(sensitivity), budget, Boolean(lowBits), lowBudget, progress);
    return parseReport(text);
  }

  /** Time of each node as the engine runs it: [{ index, name, op, ms }] (median over `runs`). */
  profile(feeds, { runs = 10 } = {}) {
    stageFeeds(this.#core, feeds, this.#state.info.inputs);
    return call(this.#core, 'ptqProfile', this.#live(), runs);
  }

  /** The quantized model as a QDQ ONNX file (onnxruntime runs it). */
  exportOnnx() {
    return call(this.#core, 'ptqExport', this.#live());
  }

  /** Every choice made, as JSON-ready data; Quantlab.applyRecipe() replays it to the same bytes. */
  recipe({ note = '' } = {}) {
    return JSON.parse(call(this.#core, 'ptqRecipe', this.#live(), String(note)));
  }

  delete() {
    if (this.#handle) {
      this.#handle.delete();
      this.#handle = null;
    }
  }
}
// --- end post-training quantization -------------------------------------------

/** Collects statistics of many batches and turns them into quantization parameters. Owns wasm memory: call delete(). */
class Observer {
  #core;
  #handle;

  constructor(core, handle) {
    this.#core = core;
    this.#handle = handle;
  }

  #live() {
    if (this.#handle === null) throw new Error('this observer was deleted');
    return this.#handle;
  }

  observe(batch) {
    call(this.#core, 'observerObserve', this.#live(), batch);
    return this;
  }

  params() {
    return call(this.#core, 'observerParams', this.#live());
  }

  histogram(slot = 0) {
    return call(this.#core, 'observerHistogram', this.#live(), slot);
  }

  get stats() {
    return call(this.#core, 'observerStats', this.#live());
  }

  delete() {
    if (this.#handle !== null) {
      this.#handle.delete();
      this.#handle = null;
    }
  }
}
// --- end quantization ---------------------------------------------------------

class Quantlab {
  #core;

  constructor(core) {
    this.#core = core;
  }

  get version() {
    return VERSION;
  }

  floatBits(value, format = 'fp32', options = {}) {
    const saturate = options.saturate ?? true;
    if (typeof saturate !== 'boolean') throw new Error('options.saturate must be true or false');
    checkFormat(format);
    if (typeof value === 'number') return call(this.#core, 'floatBits', value, format, saturate);
    if (typeof value === 'string') return call(this.#core, 'floatBitsText', value, format, saturate);
    throw new Error(`value must be a number or a numeric string, got ${value === null ? 'null' : typeof value}`);
  }

  decodeBits(bits, format) {
    checkFormat(format);
    let text = bits;
    if (typeof bits === 'number') {
      if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
        throw new Error(`pattern must be an integer in 0..2^32-1, got ${bits}`);
      }
      const width = call(this.#core, 'formatInfo', format).total_bits;
      text = bits.toString(2).padStart(width, '0');
    } else if (typeof bits !== 'string') {
      throw new Error('bits must be a string of 0 and 1, or a number');
    }
    return call(this.#core, 'decodeBits', text, format);
  }

  formatInfo(format) {
    return call(this.#core, 'formatInfo', checkFormat(format));
  }

  floatFormats() {
    return call(this.#core, 'floatFormats');
  }

  memoryInUse() {
    return call(this.#core, 'memoryInUse');
  }

  // --- quantization (core/quant, core/calib; see core/docs/quantization.md) ---

  quantParams(x, options = {}) {
    return call(this.#core, 'quantParams', x, quantOptions(options));
  }

  quantize(x, params) {
    return call(this.#core, 'quantize', x, params);
  }

  dequantize(q, params) {
    return call(this.#core, 'dequantize', q, params);
  }

  fakeQuantize(x, options = {}) {
    return call(this.#core, 'fakeQuantize', x, quantOptions(options));
  }

  errorStats(x, xhat, options = {}) {
    const bins = quantOptions(options, ['bins']).bins ?? 64;
    return call(this.#core, 'errorStats', x, xhat, bins);
  }

  createObserver(options = {}) {
    return new Observer(this.#core, call(this.#core, 'createObserver', quantOptions(options)));
  }
  // --- end quantization -------------------------------------------------------

  // --- models (core/model) ------------------------------------------------
  /**
   * Loads an ONNX model from its bytes. `externalData` maps the file names a model
   * refers to ({ 'model.onnx.data': Uint8Array }) for tensors stored outside it.
   */
  async loadModel(bytes, { externalData } = {}) {
    return this.loadModelSync(bytes, { externalData });
  }

  /** loadModel() without the Promise. */
  loadModelSync(bytes, { externalData } = {}) {
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    else if (ArrayBuffer.isView(bytes) && !(bytes instanceof Uint8Array)) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!(bytes instanceof Uint8Array)) throw new Error('loadModel expects the .onnx file as a Uint8Array or ArrayBuffer');
    let external = null;
    if (externalData !== undefined && externalData !== null) {
      if (typeof externalData !== 'object') throw new Error('externalData must be an object { fileName: Uint8Array }');
      external = {};
      for (const [name, data] of Object.entries(externalData)) {
        external[name] = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
      }
    }
    return new Model(this.#core, call(this.#core, 'modelLoad', bytes, external));
  }

  /** The ONNX operators this build runs. */
  supportedOps() {
    return call(this.#core, 'modelSupportedOps');
  }
  // --- end models -----------------------------------------------------------

  // --- post-training quantization -------------------------------------------
  /**
   * Quantizes a float model. Static mode (default) calibrates on
   * `calibration` ({ data: Float32Array, shape: [N, ...] } of the model's input,
   * or an array of them; the first `samples` (200) are used in batches of
   * `batchSize` (32)), then converts Conv/Gemm/MatMul to int8 with fused
   * activations. Dynamic mode quantizes Gemm/MatMul weights only and the
   * activations per batch at run time. onProgress({ stage, done, total }).
   */
  async quantizeModel(model, options = {}) {
    const opts = checkKeys(options, PTQ_OPTIONS, 'quantizeModel option');
    checkKeys(opts.activations, PTQ_ACTIVATION_OPTIONS, 'activations option');
    checkKeys(opts.weights, PTQ_WEIGHT_OPTIONS, 'weights option');
    const samples = opts.samples ?? 200;
    const batch = opts.batchSize ?? 32;
    if (!Number.isInteger(samples) || samples < 1) throw new Error('samples must be an integer >= 1');
    if (!Number.isInteger(batch) || batch < 1) throw new Error('batchSize must be an integer >= 1');
    const mode = opts.mode ?? 'static';
    if (mode !== 'static' && mode !== 'dynamic') throw new Error(`mode must be 'static' or 'dynamic', got ${JSON.stringify(mode)}`);
    if (opts.calibration === undefined) {
      throw new Error(mode === 'static' ? 'static quantization needs calibration data: { data, shape: [N, ...] }' : 'quantizeModel needs calibration data (the report runs on it)');
    }
    const onProgress = typeof opts.onProgress === 'function' ? opts.onProgress : () => {};
    const { calibration: given, onProgress: _ignored, samples: _s, batchSize: _b, ...coreOptions } = opts;
    const modelPointer = modelHandle(model);  // a deleted or foreign model fails here, first
    const input = model.inputs[0];
    const calibration = calibrationSamples(given, input.name);
    const handle = call(this.#core, 'ptqCreate', modelPointer, { ...coreOptions, mode });
    try {
      const total = countSamples(calibration, samples);
      let done = 0;
      onProgress({ stage: 'calibrate', done, total });
      for (const b of sampleBatches(calibration, samples, batch)) {
        stageTensor(this.#core, input.name, b, input, 0, true);
        call(this.#core, 'ptqObserve', handle);
        done += b.shape[0];
        onProgress({ stage: 'calibrate', done, total });
        await yieldToEventLoop();
      }
      onProgress({ stage: 'convert', done: 0, total: 1 });
      const state = call(this.#core, 'ptqConvert', handle, undefined, undefined);
      onProgress({ stage: 'convert', done: 1, total: 1 });
      return new QuantizedModel(this.#core, handle, { mode, ...state });
    } catch (e) {
      handle.delete();
      throw e;
    }
  }

  /** Replays a recipe (QuantizedModel.recipe()) on the float model it was made for: the same quantized model, without data. */
  applyRecipe(model, recipe) {
    const text = typeof recipe === 'string' ? recipe : JSON.stringify(recipe);
    const handle = call(this.#core, 'ptqReplay', modelHandle(model), text);
    const parsed = JSON.parse(text);
    const layers = call(this.#core, 'ptqLayers', handle);
    const info = call(this.#core, 'ptqInfo', handle);
    return new QuantizedModel(this.#core, handle, { mode: parsed.mode, layers, keepFloat: parsed.keep_float ?? [], layerBits: parsed.weights?.layer_bits ?? {}, calibrationSamples: 0, info });
  }
  // --- end post-training quantization ---------------------------------------

  // --- kernels (core/kernels; see core/docs/kernels.md) ----------------------
  // Benchmarks run inside wasm on random data and block until done: call them
  // from a Web Worker in a page. Results are plain objects / fresh typed arrays.

  /** Which kernel implementations this build has: { impls, simd, kernels }. */
  kernelInfo() {
    return call(this.#core, 'kernelInfo');
  }

  /** The standard benchmark cases (GEMM 256³ and 64×1024×1024, matvec 1×4096×4096, conv 3×3 64→64 on 28×28) for one impl. */
  standardBenchmarks(impl = 'simd', minTimeMs = 300) {
    checkKernelImpl(impl);
    return call(this.#core, 'kernelStandardBenchmarks', impl, checkKernelNumber(minTimeMs, 'minTimeMs'));
  }

  /** Times one kernel case: median ms per run over `samples` samples after a warm-up. */
  benchmarkKernel(spec) {
    if (spec === null || typeof spec !== 'object') throw new Error('benchmarkKernel expects an options object such as { kernel: "gemm", dtype: "int8", impl: "simd", m: 256, k: 256, n: 256 }');
    const clean = {};
    for (const key of ['kernel', 'dtype', 'impl']) {
      if (spec[key] !== undefined) {
        if (typeof spec[key] !== 'string') throw new Error(`${key} must be a string`);
        clean[key] = spec[key];
      }
    }
    for (const key of ['m', 'k', 'n', 'height', 'width', 'inChannels', 'outChannels', 'kernelSize', 'stride', 'groups', 'minTimeMs', 'samples']) {
      if (spec[key] !== undefined) clean[key] = checkKernelNumber(spec[key], key);
    }
    return call(this.#core, 'kernelBenchmark', clean);
  }

  /** C = A·B (+ bias) in fp32; A is m×k, B is k×n, row-major. Returns a new Float32Array of m×n. */
  gemmF32({ a, b, m, k, n, bias, impl } = {}) {
    checkKernelImpl(impl);
    return call(this.#core, 'kernelGemmF32', { a: checkKernelArray(a, 'a'), b: checkKernelArray(b, 'b'), m, k, n, bias: bias ?? null, impl });
  }

  /**
   * Quantized GEMM: uint8 or int8 A (m×k) with aZeroPoint × int8 B (k×n) with bZeroPoint (number or per-column array),
   * plus an int32 bias; output 'int32' (exact sums), 'fp32' (× scale + floatBias) or 'uint8'/'int8' (requantized).
   */
  gemmInt8({ a, b, m, k, n, aZeroPoint = 0, bZeroPoint = 0, bias, output = 'int32', scale, floatBias, outputZeroPoint = 0, min, max, impl } = {}) {
    checkKernelImpl(impl);
    checkKernelArray(a, 'a');
    checkKernelArray(b, 'b');
    const aSigned = a instanceof Int8Array;
    const toArray = (v) => (v === undefined || v === null ? null : typeof v === 'number' ? [v] : v);
    return call(this.#core, 'kernelGemmInt8', {
      a, aSigned, b, m, k, n, aZeroPoint, bZeroPoint: toArray(bZeroPoint), bias: toArray(bias), output,
      scale: toArray(scale), floatBias: toArray(floatBias), outputZeroPoint, min, max, impl,
    });
  }
  // --- end kernels ------------------------------------------------------------
}

/**
 * Loads the WebAssembly core and returns the API.
 * @param {{ locateFile?: (path: string, prefix: string) => string, wasmBinary?: ArrayBuffer | Uint8Array }} [options]
 */
export async function init(options = {}) {
  if (!simdSupported()) {
    throw new Error(
      'quantlab needs WebAssembly SIMD (Chrome/Edge 95+, Firefox 100+, Safari 16.4+, Node 20+); this engine lacks it',
    );
  }
  if (!WebAssembly.validate(EXCEPTIONS_PROBE)) {
    throw new Error(
      'quantlab needs WebAssembly exception handling (Chrome/Edge 95+, Firefox 100+, Safari 16.4+, Node 20+); this engine lacks it',
    );
  }
  const moduleArgs = {};
  if (options.locateFile) moduleArgs.locateFile = options.locateFile;
  if (options.wasmBinary) moduleArgs.wasmBinary = options.wasmBinary;
  else if (isNode && !options.locateFile) moduleArgs.wasmBinary = await readWasmInNode();
  let core;
  try {
    core = await createQuantlabCore(moduleArgs);
  } catch (e) {
    throw new Error(`quantlab: could not load the WebAssembly core: ${e instanceof Error ? e.message : e}`);
  }
  return new Quantlab(core);
}
