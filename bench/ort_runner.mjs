// Times onnxruntime-web (WASM backend, one thread, SIMD) on the benchmark's
// one-node models, the way bench.mjs times our kernels: warm-up, then samples
// of equal run counts, median milliseconds per run.
//
// In Node, `import 'onnxruntime-web'` resolves to dist/ort.node.min.mjs, which
// loads dist/ort-wasm-simd-threaded.{mjs,wasm} from beside itself (its
// import.meta.url); nothing needs wasmPaths. numThreads = 1 keeps it on this
// thread (no worker threads), the same single core our kernels get.
import { buildOrtCase } from './ort_models.mjs';

let ortPromise = null;

/** Loads onnxruntime-web once, configured for one thread. */
export async function loadOrt() {
  if (!ortPromise) {
    ortPromise = import('onnxruntime-web').then((ort) => {
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.simd = true;
      ort.env.logLevel = 'error';
      return ort;
    });
  }
  return ortPromise;
}

/** onnxruntime-web's version, as its package says. */
export async function ortVersion() {
  const ort = await loadOrt();
  return ort.env.versions?.web ?? 'unknown';
}

/**
 * Median ms per session.run() of `opType` at M×K×N. Each run includes
 * onnxruntime's per-call JS work (tensor wrapping, output allocation), which
 * is part of what a user of the library pays.
 */
export async function timeOrt(opType, m, k, n, { minTimeMs = 300, samples = 5 } = {}) {
  const ort = await loadOrt();
  const c = buildOrtCase(opType, m, k, n);
  const session = await ort.InferenceSession.create(c.model, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const feeds = {};
    for (const [name, [type, data, dims]] of Object.entries(c.feed)) feeds[name] = new ort.Tensor(type, data, dims);
    // Warm-up: at least two runs and 20 ms (pre-packing, tier-up of the wasm code).
    let warmRuns = 0;
    const w0 = performance.now();
    do {
      await session.run(feeds);
      warmRuns += 1;
    } while (warmRuns < 2 || performance.now() - w0 < 20);
    const perRun = (performance.now() - w0) / warmRuns;
    const iterations = Math.max(1, Math.floor(minTimeMs / samples / perRun));
    const times = [];
    for (let s = 0; s < samples; s += 1) {
      const t0 = performance.now();
      for (let i = 0; i < iterations; i += 1) await session.run(feeds);
      times.push((performance.now() - t0) / iterations);
    }
    times.sort((x, y) => x - y);
    const mid = times.length >> 1;
    const ms = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
    return { ms, gops: (2 * m * k * n) / (ms * 1e6), iterations: iterations * samples };
  } finally {
    await session.release();
  }
}
