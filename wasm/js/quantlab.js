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
