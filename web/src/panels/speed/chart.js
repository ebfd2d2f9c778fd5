// The GOPS bar chart: one group of four bars per case (fp32 scalar, fp32 SIMD,
// int8 scalar, int8 SIMD). uPlot has one shared x array, so every bar gets its
// own x position (case index ± an offset) and each series is null except at
// its own positions; the x axis labels the group centres with the case names.
import uPlot from 'uplot';
import { createChart } from '../../shared/chart.js';
import { VARIANTS, caseShort, resultKey } from './cases.js';

/** Offsets of the four bars inside a group (the group spans about 0.9). */
const OFFSETS = [-0.3, -0.1, 0.1, 0.3];
/** CSS colour variables of the variants, in VARIANTS order. */
export const VARIANT_COLOURS = ['--sp-fp32-scalar', '--sp-fp32-simd', '--sp-int8-scalar', '--sp-int8-simd'];

/** 1024 → "1k". */
const dim = (n) => (n >= 1024 && n % 1024 === 0 ? `${n / 1024}k` : String(n));

/** A two-line label for narrow charts: "GEMM\n64×1k×1k". */
function narrowLabel(spec) {
  if (spec.kernel === 'conv') return `conv\n${spec.kernelSize ?? 3}×${spec.kernelSize ?? 3}`;
  if (spec.kernel === 'matvec') return `matvec\n${dim(spec.k)}×${dim(spec.n)}`;
  return spec.m === spec.k && spec.k === spec.n ? `GEMM\n${spec.m}³` : `GEMM\n${dim(spec.m)}×${dim(spec.k)}×${dim(spec.n)}`;
}

/**
 * @param {HTMLElement} container in the document
 * @param {ReturnType<import('./cases.js').planCases>} cases
 */
export function createSpeedChart(container, cases) {
  const xs = [];
  cases.forEach((_, i) => OFFSETS.forEach((o) => xs.push(i + o)));

  /** @param {Map<string, import('quantlab').BenchmarkResult>} results */
  function dataOf(results) {
    const series = VARIANTS.map((v, vi) =>
      xs.map((_, xi) => {
        const ci = Math.floor(xi / OFFSETS.length);
        if (xi % OFFSETS.length !== vi) return null;
        return results.get(resultKey(cases[ci].key, v.dtype, v.impl))?.gops ?? null;
      }),
    );
    return /** @type {uPlot.AlignedData} */ ([xs, ...series]);
  }

  const labels = cases.map((c) => caseShort(c.spec));
  const narrowLabels = cases.map((c) => narrowLabel(c.spec));
  const chart = createChart(
    container,
    {
      height: (w) => (w < 560 ? 240 : 280),
      options: (theme, w) => ({
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        padding: [12, 8, 0, 4],
        scales: {
          x: { time: false, range: () => [-0.5, cases.length - 0.5] },
          y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(((max ?? 0) * 1.12) / 5) * 5)] },
        },
        axes: [
          {
            stroke: theme('--muted'),
            grid: { show: false },
            ticks: { show: false },
            splits: () => cases.map((_, i) => i),
            values: (_u, splits) => splits.map((i) => (w < 560 ? narrowLabels[i] : labels[i])),
            font: `12px ${theme('--font-sans') || 'system-ui'}`,
            size: w < 560 ? 44 : 32,
          },
          {
            stroke: theme('--muted'),
            grid: { stroke: theme('--border'), width: 1 },
            ticks: { show: false },
            font: `12px ${theme('--font-sans') || 'system-ui'}`,
            label: 'GOPS',
            labelFont: `600 12px ${theme('--font-sans') || 'system-ui'}`,
            labelSize: 18,
            size: 40,
          },
        ],
        series: [
          {},
          ...VARIANTS.map((v, vi) => ({
            label: v.label,
            stroke: theme(VARIANT_COLOURS[vi]),
            fill: theme(VARIANT_COLOURS[vi]),
            width: 0,
            points: { show: false },
            paths: uPlot.paths.bars({ size: [0.9, Infinity], align: 0 }),
          })),
        ],
      }),
    },
    dataOf(new Map()),
  );

  return {
    /** @param {Map<string, import('quantlab').BenchmarkResult>} results */
    update(results) {
      chart.setData(dataOf(results));
    },
    destroy: () => chart.destroy(),
  };
}
