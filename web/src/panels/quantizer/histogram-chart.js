// A histogram (uPlot bars) with room above the plot for overlays: the
// quantization grid as a ruler of levels, clipping shades, observer ranges.
// Overlays draw in uPlot's hooks with uPlot's own value-to-pixel mapping.
import uPlot from 'uplot';
import { createChart, pxRatio } from '../../shared/chart.js';
import { compact } from '../../shared/numbers.js';

/** Axis labels: compact numbers with a real minus sign. */
export function tickText(v) {
  return v == null ? '' : compact(v).replace(/^-/, '−');
}

/** Count labels: 1500 → "1.5k". */
function countText(v) {
  if (v == null) return '';
  if (v >= 1e6) return `${Number((v / 1e6).toPrecision(2))}M`;
  if (v >= 1e3) return `${Number((v / 1e3).toPrecision(2))}k`;
  return String(Math.round(v * 100) / 100);
}

/** 0 and the powers of ten up to `max`. */
function decades(max) {
  const out = [0];
  for (let v = 1; v <= max; v *= 10) out.push(v);
  return out;
}

/**
 * Pixel helpers for an overlay (canvas pixels, as uPlot's ctx uses).
 * @param {uPlot} u
 */
export function canvasFrame(u) {
  const r = pxRatio();
  const { left, top, width, height } = u.bbox;
  return {
    ctx: u.ctx,
    r,
    left,
    top,
    right: left + width,
    bottom: top + height,
    height,
    /** x of a value, in canvas pixels */
    X: (v) => u.valToPos(v, 'x', true),
    /** x clamped to the plot area */
    Xc: (v) => Math.min(left + width, Math.max(left, u.valToPos(v, 'x', true))),
  };
}

/**
 * Shades the plot outside [lo, hi]: the values a quantizer clamps to its end codes.
 * @param {ReturnType<typeof canvasFrame>} f
 * @param {number} lo
 * @param {number} hi
 * @param {string} fill
 */
export function shadeOutside(f, lo, hi, fill) {
  const { ctx } = f;
  ctx.fillStyle = fill;
  const xl = f.Xc(lo);
  const xh = f.Xc(hi);
  if (xl > f.left) ctx.fillRect(f.left, f.top, xl - f.left, f.height);
  if (xh < f.right) ctx.fillRect(xh, f.top, f.right - xh, f.height);
}

/**
 * @param {HTMLElement} container in the document
 * @param {object} options
 * @param {number} options.band CSS pixels above the plot for the overlay's ruler
 * @param {(width: number) => number} options.height
 * @param {(u: uPlot, phase: 'under' | 'over', theme: (name: string) => string) => void} options.overlay
 *   draws before ('under') and after ('over') the bars
 */
export function createHistogramChart(container, { band, height, overlay }) {
  let hist = { lo: 0, hi: 1, centres: new Float64Array([0.5]), counts: new Float64Array([0]) };
  let logScale = false;

  const spec = {
    height,
    options: (theme, width) => {
      const font = `${width < 480 ? 10 : 11}px ${theme('--font-sans') || 'system-ui, sans-serif'}`;
      const axis = { stroke: theme('--muted'), font, ticks: { stroke: theme('--border-strong'), size: 4, width: 1 } };
      return {
        padding: [band + 4, 10, 0, 2],
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        scales: {
          x: { time: false, range: () => [hist.lo, hist.hi] },
          y: logScale
            ? { distr: 4, asinh: 1, range: (u, min, max) => [0, Math.max(2, max * 1.3)] }
            : { range: (u, min, max) => [0, Math.max(1, max * 1.06)] },
        },
        axes: [
          { ...axis, grid: { show: false }, size: 30, space: width < 480 ? 44 : 56, values: (u, splits) => splits.map(tickText) },
          {
            ...axis,
            ticks: { show: false },
            grid: { stroke: theme('--border'), width: 1 },
            size: width < 480 ? 32 : 40,
            space: 28,
            values: (u, splits) => splits.map(countText),
            // log counts: one line per decade (0, 1, 10, 100, ...)
            ...(logScale ? { splits: (u, i, min, max) => decades(max) } : {}),
          },
        ],
        series: [
          {},
          {
            label: 'count',
            fill: theme('--qz-bars'),
            stroke: theme('--qz-bars'),
            width: 0,
            points: { show: false },
            paths: uPlot.paths.bars({ size: [1, Infinity, 1], gap: 0 }),
          },
        ],
        hooks: {
          drawAxes: [(u) => overlay(u, 'under', theme)],
          draw: [(u) => overlay(u, 'over', theme)],
        },
      };
    },
  };

  const chart = createChart(container, spec, [hist.centres, hist.counts]);

  return {
    /**
     * @param {{ lo: number, hi: number, centres: Float64Array, counts: Float64Array }} next
     * @param {{ logScale?: boolean }} [options]
     */
    update(next, { logScale: log = logScale } = {}) {
      hist = next;
      if (log !== logScale) {
        logScale = log;
        chart.setData([hist.centres, hist.counts]);
        chart.rebuild();
        return;
      }
      chart.setData([hist.centres, hist.counts]);
    },
    redraw() {
      chart.redraw();
    },
    destroy() {
      chart.destroy();
    },
  };
}
