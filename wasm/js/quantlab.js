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
  const message = core.takeError();
  if (message) throw new Error(message);
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
    for (const key of ['m', 'k', 'n', 'height', 'width', 'inChannels', 'outChannels', 'kernelSize', 'minTimeMs', 'samples']) {
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
      'quantlab needs WebAssembly SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+); this engine lacks it',
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
