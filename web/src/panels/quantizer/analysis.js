// Everything the Quantizer panel shows about one data set, computed with the
// quantlab package: parameters of both schemes, their error metrics, the
// observer race and the histograms to draw. No DOM here: the Web Worker runs
// it, and the browser tests import it in Node to know the batch size.

/** The observers, in race order. */
export const OBSERVERS = /** @type {const} */ (['minmax', 'moving_average', 'percentile', 'mse', 'entropy']);
export const SCHEMES = /** @type {const} */ (['symmetric', 'asymmetric']);
/**
 * Observers see the data in batches of this many values, as a calibration run
 * sees a stream of batches (moving_average needs more than one to differ from
 * min-max).
 */
export const CALIBRATION_BATCH = 1000;
/** Bars of the drawn histograms. */
export const DISPLAY_BINS = 120;

/**
 * The panel's settings.
 * @typedef {object} QuantizerSettings
 * @property {number} bits 2..8
 * @property {'default' | 'signed' | 'unsigned'} codes default: int for symmetric, uint for asymmetric
 * @property {boolean} narrowRange
 * @property {import('quantlab').ObserverKind} observer
 * @property {number} percentile
 * @property {'half_even' | 'half_away' | 'stochastic'} rounding
 * @property {'symmetric' | 'asymmetric'} raceScheme
 */

/**
 * The package options for one scheme and observer.
 * @param {QuantizerSettings} settings
 * @param {'symmetric' | 'asymmetric'} scheme
 * @param {import('quantlab').ObserverKind} [observer]
 * @returns {import('quantlab').QuantOptions}
 */
export function quantOptions(settings, scheme, observer = settings.observer) {
  /** @type {import('quantlab').QuantOptions} */
  const options = {
    scheme,
    bits: settings.bits,
    narrowRange: settings.narrowRange,
    observer,
    percentile: settings.percentile,
    rounding: settings.rounding,
  };
  if (settings.codes === 'signed') options.signed = true;
  if (settings.codes === 'unsigned') options.signed = false;
  return options;
}

/**
 * Parameters from an observer that saw `data` in batches of CALIBRATION_BATCH.
 * @param {import('quantlab').Quantlab} ql
 * @param {Float32Array} data
 * @param {import('quantlab').QuantOptions} options
 */
export function calibrate(ql, data, options) {
  const observer = ql.createObserver(options);
  try {
    for (let start = 0; start < data.length; start += CALIBRATION_BATCH) {
      observer.observe(data.subarray(start, start + CALIBRATION_BATCH));
    }
    return observer.params();
  } finally {
    observer.delete();
  }
}

/** Largest finite float32. */
const FLT_MAX = 3.4028234663852886e38;

/**
 * The value of code q, s(q − z) in float32 (Q1); a level beyond float32
 * saturates to ±FLT_MAX, as the core's dequantize does.
 */
export function levelOf(s, q, z) {
  return Math.min(FLT_MAX, Math.max(-FLT_MAX, Math.fround(s * (q - z))));
}

/** The lowest and highest representable value, s(q_min − z) and s(q_max − z). */
export function gridExtent(params) {
  const s = params.scale[0];
  const z = params.zeroPoint[0];
  return { lo: levelOf(s, params.qmin, z), hi: levelOf(s, params.qmax, z) };
}

/**
 * Quantizes, dequantizes and measures the error of `params` on `data`.
 * @param {import('quantlab').Quantlab} ql
 * @param {Float32Array} data
 * @param {import('quantlab').QuantParams} params
 */
export function evaluate(ql, data, params) {
  const q = ql.quantize(data, params).data;
  const xhat = ql.dequantize(q, params).data;
  const { mse, rmse, maxAbsError, sqnrDb, cosine } = ql.errorStats(data, xhat, { bins: 1 });
  const used = new Uint8Array(params.qmax - params.qmin + 1);
  for (let i = 0; i < q.length; i += 1) used[q[i] - params.qmin] = 1;
  let codesUsed = 0;
  for (const u of used) codesUsed += u;
  return { mse, rmse, maxAbsError, sqnrDb, cosine, codesUsed, codes: used.length };
}

/** n, min, max, mean, standard deviation and the share of exact zeros. */
export function summarize(data) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < data.length; i += 1) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 0) zeros += 1;
  }
  const mean = sum / data.length;
  let squares = 0;
  for (let i = 0; i < data.length; i += 1) squares += (data[i] - mean) ** 2;
  return { n: data.length, min, max, mean, std: Math.sqrt(squares / data.length), zeros };
}

/**
 * Counts of `data` in `bins` equal bins over [lo, hi] (values outside are not counted).
 * @returns {{ lo: number, hi: number, centres: Float64Array, counts: Float64Array }}
 */
export function histogram(data, lo, hi, bins = DISPLAY_BINS) {
  const counts = new Float64Array(bins);
  const centres = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < bins; i += 1) centres[i] = lo + (i + 0.5) * width;
  if (width > 0) {
    for (let i = 0; i < data.length; i += 1) {
      const k = Math.floor((data[i] - lo) / width);
      if (k >= 0 && k <= bins) counts[Math.min(k, bins - 1)] += 1;
    }
  }
  return { lo, hi, centres, counts };
}

/** [lo, hi] widened by `pad` of its width on each side (a unit range around a point). */
function padded(lo, hi, pad = 0.04) {
  if (!(hi > lo)) return { lo: lo - 1, hi: hi + 1 };
  const margin = (hi - lo) * pad;
  return { lo: lo - margin, hi: hi + margin };
}

/** The first non-zero value (else the first): the default example of the formulas. */
export function exampleValue(data) {
  for (let i = 0; i < data.length; i += 1) if (data[i] !== 0) return data[i];
  return data[0];
}

/**
 * The whole analysis for the panel.
 * @param {import('quantlab').Quantlab} ql
 * @param {Float32Array} data finite values
 * @param {QuantizerSettings} settings
 */
export function analyze(ql, data, settings) {
  const started = performance.now();
  const summary = summarize(data);
  /** Results by "scheme/observer", so the race reuses the schemes' work. */
  const done = new Map();
  const run = (scheme, observer) => {
    const key = `${scheme}/${observer}`;
    if (!done.has(key)) {
      const params = calibrate(ql, data, quantOptions(settings, scheme, observer));
      done.set(key, {
        params,
        range: { min: params.range.min[0], max: params.range.max[0] },
        grid: gridExtent(params),
        stats: evaluate(ql, data, params),
      });
    }
    return done.get(key);
  };

  const schemes = Object.fromEntries(SCHEMES.map((scheme) => [scheme, { scheme, ...run(scheme, settings.observer) }]));

  const raceRows = OBSERVERS.map((observer) => {
    const r = run(settings.raceScheme, observer);
    return { observer, range: r.range, grid: r.grid, scale: r.params.scale[0], zeroPoint: r.params.zeroPoint[0], stats: r.stats };
  });
  let best = raceRows[0];
  for (const row of raceRows) if (row.stats.sqnrDb > best.stats.sqnrDb) best = row;

  // Main charts: the data and both grids in view; race chart: the data.
  const grids = SCHEMES.map((s) => schemes[s].grid);
  const view = padded(Math.min(summary.min, ...grids.map((g) => g.lo)), Math.max(summary.max, ...grids.map((g) => g.hi)));
  const dataView = padded(summary.min, summary.max);

  return {
    summary,
    example: exampleValue(data),
    schemes,
    race: { scheme: settings.raceScheme, rows: raceRows, best: best.observer },
    histogram: histogram(data, view.lo, view.hi),
    raceHistogram: histogram(data, dataView.lo, dataView.hi),
    elapsedMs: performance.now() - started,
  };
}

/** @typedef {ReturnType<typeof analyze>} Analysis */
