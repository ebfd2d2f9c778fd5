// Whole-model inference timing: our engine (the npm package) and
// onnxruntime-web (WASM, one thread, SIMD) on the same ONNX bytes and the same
// inputs. Same protocol as the kernel benchmarks: warm-up, then 5 samples of
// equal run counts, median ms per run. Each run includes the per-call work a
// user pays (input copies, output wrapping) on both sides.
import { loadOrt } from './ort_runner.mjs';

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

async function timeRuns(runOnce, { minTimeMs, samples = 5 }) {
  let warmRuns = 0;
  const w0 = performance.now();
  do {
    await runOnce();
    warmRuns += 1;
  } while (warmRuns < 2 || performance.now() - w0 < 30);
  const perRun = (performance.now() - w0) / warmRuns;
  const iterations = Math.max(1, Math.floor(minTimeMs / samples / perRun));
  const times = [];
  for (let s = 0; s < samples; s += 1) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i += 1) await runOnce();
    times.push((performance.now() - t0) / iterations);
  }
  return median(times);
}

/** Deterministic pseudo-images: the same input for both engines. */
export function sampleInput(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i += 1) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 0.5;
  }
  return data;
}

/** Median ms per run of our engine. Returns { ms, logits } (logits of the last run, for a cross-check). */
export async function timeOurs(ql, bytes, inputName, shape, { minTimeMs = 300 } = {}) {
  const model = await ql.loadModel(bytes);
  try {
    const feeds = { [inputName]: { data: sampleInput(shape), shape } };
    const ms = await timeRuns(() => model.runSync(feeds), { minTimeMs });
    const out = model.runSync(feeds);
    return { ms, output: Object.values(out)[0].data };
  } finally {
    model.delete();
  }
}

/** Median ms per run of onnxruntime-web on the same model and input. */
export async function timeOrtModel(bytes, inputName, shape, { minTimeMs = 300 } = {}) {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const feeds = { [inputName]: new ort.Tensor('float32', sampleInput(shape), shape) };
    const ms = await timeRuns(() => session.run(feeds), { minTimeMs });
    const out = await session.run(feeds);
    return { ms, output: out[session.outputNames[0]].data };
  } finally {
    await session.release();
  }
}
