// The environment a benchmark ran in: WebAssembly SIMD, cross-origin
// isolation (which decides the timer's precision), the measured resolution of
// performance.now(), the user agent and the number of logical cores.
import { simdSupported } from 'quantlab';

/**
 * Smallest non-zero difference between two performance.now() readings, in ms
 * (browsers coarsen the clock: 5 µs when cross-origin isolated in Chromium,
 * 100 µs otherwise). Spins for at most `budgetMs`.
 */
export function timerResolution(budgetMs = 30) {
  let best = Infinity;
  const start = performance.now();
  let last = start;
  let changes = 0;
  while (changes < 2000) {
    const now = performance.now();
    if (now !== last) {
      best = Math.min(best, now - last);
      last = now;
      changes += 1;
    }
    if (now - start > budgetMs) break;
  }
  return best;
}

/** @returns {{ simd: boolean, isolated: boolean, timerMs: number, userAgent: string, cores: number | null }} */
export function detectEnvironment() {
  let simd = false;
  try {
    simd = simdSupported();
  } catch {
    simd = false;
  }
  return {
    simd,
    isolated: globalThis.crossOriginIsolated === true,
    timerMs: timerResolution(),
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency || null,
  };
}

/** "5 µs", "0.1 ms". */
export function durationText(ms) {
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms < 1) return `${Number((ms * 1000).toPrecision(3))} µs`;
  return `${Number(ms.toPrecision(3))} ms`;
}
