// A uPlot chart that fills its container's width, reads its colours from CSS
// custom properties (so it follows the light / dark scheme) and rebuilds
// itself when the scheme changes. Panels describe the chart with a function of
// the theme and width; this module owns sizing and lifetime.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Width used before the container has been laid out. */
const FALLBACK_WIDTH = 320;

/**
 * Reads CSS custom properties of an element: theme('--text') → "#151922".
 * @param {Element} el
 * @returns {(name: string) => string}
 */
export function themeOf(el) {
  const style = getComputedStyle(el);
  return (name) => style.getPropertyValue(name).trim();
}

/** Canvas pixels per CSS pixel (uPlot draws at device resolution). */
export function pxRatio() {
  return uPlot.pxRatio;
}

/**
 * @typedef {object} ChartSpec
 * @property {(theme: (name: string) => string, width: number) => uPlot.Options} options
 *   builds the options (called again on resize across `breakpoint` and on a scheme change)
 * @property {(width: number) => number} height CSS pixels for a given width
 */

/**
 * Mounts a chart into `container` (which must be in the document).
 * @param {HTMLElement} container
 * @param {ChartSpec} spec
 * @param {uPlot.AlignedData} data
 */
export function createChart(container, spec, data) {
  let current = data;
  /** @type {uPlot | null} */
  let plot = null;

  const width = () => Math.max(1, Math.floor(container.clientWidth) || FALLBACK_WIDTH);

  function build() {
    plot?.destroy();
    const w = width();
    const options = { ...spec.options(themeOf(container), w), width: w, height: spec.height(w) };
    plot = new uPlot(options, current, container);
  }

  build();

  let lastWidth = width();
  const resize = new ResizeObserver(() => {
    const w = width();
    if (w === lastWidth || !plot) return;
    lastWidth = w;
    plot.setSize({ width: w, height: spec.height(w) });
  });
  resize.observe(container);

  const scheme = window.matchMedia('(prefers-color-scheme: dark)');
  const onScheme = () => build();
  scheme.addEventListener('change', onScheme);

  return {
    /** Replaces the data (scales follow their `range` functions) and redraws. */
    setData(next) {
      current = next;
      plot?.setData(next);
    },
    /** Redraws with the same data (after overlay state changed). */
    redraw() {
      plot?.redraw(false, true);
    },
    /** Recreates the chart, e.g. after a change to its scale type. */
    rebuild() {
      build();
    },
    get plot() {
      return plot;
    },
    destroy() {
      resize.disconnect();
      scheme.removeEventListener('change', onScheme);
      plot?.destroy();
      plot = null;
    },
  };
}
