// One scheme (symmetric or asymmetric) as a column of the comparison card:
// the histogram with this scheme's grid drawn over it, its parameters, how
// many codes the data really uses, and the error metrics.
import { h, setText } from '../../shared/dom.js';
import { levelOf } from './analysis.js';
import { canvasFrame, createHistogramChart, shadeOutside } from './histogram-chart.js';
import { countText, dbText, float32Display, float32Text, gridName, metricText, minus } from './format.js';

/** CSS pixels above the plot for the ruler of levels. */
const BAND = 16;
/** Levels closer than this (CSS px) are drawn as a solid ruler instead of ticks. */
const MIN_TICK_SPACING = 2;
/** Levels at least this far apart (CSS px) are also drawn across the plot. */
const MIN_LINE_SPACING = 7;

export const SCHEME_TEXT = {
  symmetric: {
    title: 'Symmetric',
    lede: 'Real 0 at the middle code; the grid spans ±max\u00a0|x|.',
    colour: '--qz-sym',
  },
  asymmetric: {
    title: 'Asymmetric',
    lede: 'Affine: the grid spans [min, max]; the zero point moves to fit.',
    colour: '--qz-asym',
  },
};

/**
 * Draws a scheme's grid: shades what it clips ('under'), then its levels as a
 * ruler above the plot (and across it when they are far apart), the code of
 * real 0 and the observer's range ('over').
 * @param {import('uplot')} u
 * @param {'under' | 'over'} phase
 * @param {(name: string) => string} theme
 * @param {{ params: import('quantlab').QuantParams, grid: { lo: number, hi: number },
 *           range: { min: number, max: number } } | null} view
 * @param {string} colourVar
 */
function drawGrid(u, phase, theme, view, colourVar) {
  if (!view) return;
  const f = canvasFrame(u);
  const { ctx, r } = f;
  const { lo, hi } = view.grid;
  ctx.save();
  if (phase === 'under') {
    // Values outside [lo, hi] clamp to the end codes.
    shadeOutside(f, lo, hi, theme('--qz-clip'));
    ctx.restore();
    return;
  }

  const colour = theme(colourVar);
  const s = view.params.scale[0];
  const z = view.params.zeroPoint[0];
  const { qmin, qmax } = view.params;
  const spacing = Math.abs(f.X(s) - f.X(0)) / r;
  const rulerY = f.top - 4 * r;

  // the ruler: one tick per level, longer at both ends
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = Math.max(1, r);
  ctx.beginPath();
  ctx.moveTo(f.Xc(lo), rulerY);
  ctx.lineTo(f.Xc(hi), rulerY);
  ctx.stroke();
  if (spacing >= MIN_TICK_SPACING) {
    ctx.beginPath();
    for (let q = qmin; q <= qmax; q += 1) {
      const x = Math.round(f.X(levelOf(s, q, z)));
      if (x < f.left - r || x > f.right + r) continue;
      const end = q === qmin || q === qmax;
      ctx.moveTo(x, rulerY);
      ctx.lineTo(x, rulerY - (end ? 10 : 6) * r);
    }
    ctx.stroke();
  } else {
    ctx.globalAlpha = 0.55;
    ctx.fillRect(f.Xc(lo), rulerY - 6 * r, f.Xc(hi) - f.Xc(lo), 6 * r);
    ctx.globalAlpha = 1;
    ctx.beginPath();
    for (const v of [lo, hi]) {
      ctx.moveTo(f.X(v), rulerY);
      ctx.lineTo(f.X(v), rulerY - 10 * r);
    }
    ctx.stroke();
  }

  // levels across the plot, when they are far enough apart to read
  if (spacing >= MIN_LINE_SPACING) {
    ctx.globalAlpha = 0.5;
    ctx.lineWidth = Math.max(1, r);
    ctx.beginPath();
    for (let q = qmin; q <= qmax; q += 1) {
      if (q === z) continue;
      const x = Math.round(f.X(levelOf(s, q, z))) + 0.5;
      if (x < f.left || x > f.right) continue;
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, f.bottom);
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  } else {
    // at least the grid's ends
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    for (const v of [lo, hi]) {
      const x = Math.round(f.X(v)) + 0.5;
      if (x < f.left || x > f.right) continue;
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, f.bottom);
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  // real 0 ↔ code z
  const x0 = Math.round(f.X(0)) + 0.5;
  ctx.strokeStyle = theme('--qz-zero');
  ctx.lineWidth = 2 * r;
  ctx.beginPath();
  ctx.moveTo(x0, rulerY - 10 * r);
  ctx.lineTo(x0, f.bottom);
  ctx.stroke();

  // the observer's range, dashed
  ctx.strokeStyle = theme('--text');
  ctx.globalAlpha = 0.7;
  ctx.lineWidth = Math.max(1, 1.25 * r);
  ctx.setLineDash([4 * r, 3 * r]);
  ctx.beginPath();
  for (const v of [view.range.min, view.range.max]) {
    const x = Math.round(f.X(v)) + 0.5;
    ctx.moveTo(x, f.top);
    ctx.lineTo(x, f.bottom);
  }
  ctx.stroke();
  ctx.restore();
}

/** A term (text or nodes) and its value; the value element gets `testid`. */
function fact(term, testid, { big = false } = {}) {
  const dd = h('dd', { class: `qz-fact__value mono${big ? ' qz-fact__value--big' : ''}`, 'data-testid': testid });
  return { el: h('div', { class: 'qz-fact' }, h('dt', null, term), dd), dd };
}

/**
 * @param {'symmetric' | 'asymmetric'} scheme
 */
export function createSchemeView(scheme) {
  const text = SCHEME_TEXT[scheme];
  const titleId = `qz-scheme-title-${scheme}`;
  const chip = h('span', { class: 'qz-chip mono', 'data-testid': `grid-name-${scheme}` });
  const winner = h('span', { class: 'qz-winner', hidden: true, 'data-testid': `winner-${scheme}` }, 'lower error');
  const metricsTitle = h('p', { class: 'qz-metrics__title' }, 'Error of x̂ against x', winner);
  const chartBox = h('div', { class: 'qz-chart', role: 'img', 'data-testid': `chart-${scheme}` });

  const scale = fact(['scale ', h('var', null, 's')], `scale-${scheme}`);
  const zero = fact(['zero point ', h('var', null, 'z')], `zero-point-${scheme}`);
  const grid = fact('codes', `grid-${scheme}`);
  const extent = fact('represents', `extent-${scheme}`);
  extent.el.classList.add('qz-fact--wide');
  const used = fact('codes used', `codes-used-${scheme}`);
  const usedBar = h('span', { class: 'qz-usage', 'aria-hidden': 'true' }, h('span', { class: 'qz-usage__fill' }));
  used.dd.after(usedBar);

  const sqnr = fact('SQNR', `sqnr-${scheme}`, { big: true });
  const mse = fact('MSE', `mse-${scheme}`);
  const maxErr = fact('max error', `max-error-${scheme}`);
  maxErr.el.title = 'max |x̂ − x|';
  const cosine = fact('cosine', `cosine-${scheme}`);

  const el = h(
    'section',
    { class: `qz-scheme qz-scheme--${scheme}`, 'aria-labelledby': titleId, 'data-testid': `quantizer-scheme-${scheme}` },
    h(
      'header',
      { class: 'qz-scheme__head' },
      h('h3', { class: 'qz-scheme__title', id: titleId }, h('span', { class: 'qz-swatch', 'aria-hidden': 'true' }), text.title),
      chip,
    ),
    h('p', { class: 'qz-scheme__lede' }, text.lede),
    chartBox,
    h('dl', { class: 'qz-facts' }, scale.el, zero.el, grid.el, used.el, extent.el),
    h('div', { class: 'qz-metrics' }, metricsTitle, h('dl', { class: 'qz-metrics__list' }, sqnr.el, mse.el, maxErr.el, cosine.el)),
  );

  let view = null;
  /** @type {ReturnType<typeof createHistogramChart> | null} */
  let chart = null;

  return {
    el,
    /** Creates the chart (the element must be in the document). */
    mount() {
      chart = createHistogramChart(chartBox, {
        band: BAND,
        height: (w) => (w < 420 ? 170 : 200),
        overlay: (u, phase, theme) => drawGrid(u, phase, theme, view, text.colour),
      });
    },
    /**
     * @param {object} next
     * @param {import('./analysis.js').Analysis['schemes']['symmetric']} next.result
     * @param {import('./analysis.js').Analysis['histogram']} next.histogram
     * @param {boolean} next.logScale
     * @param {boolean} next.wins this scheme has the higher SQNR
     */
    update({ result, histogram, logScale, wins }) {
      const { params, grid: g, stats } = result;
      view = result;
      const s = params.scale[0];
      const z = params.zeroPoint[0];
      setText(chip, `${gridName(params)} · z = ${minus(z)}`);
      winner.hidden = !wins;
      el.classList.toggle('is-winner', wins);

      setText(scale.dd, float32Display(s));
      scale.dd.dataset.value = float32Text(s);
      setText(zero.dd, minus(z));
      zero.dd.dataset.value = String(z);
      setText(grid.dd, `${minus(params.qmin)} … ${minus(params.qmax)}`);
      grid.dd.dataset.qmin = String(params.qmin);
      grid.dd.dataset.qmax = String(params.qmax);
      setText(extent.dd, `${float32Display(g.lo)} … ${float32Display(g.hi)}`);
      setText(used.dd, `${countText(stats.codesUsed)} of ${countText(stats.codes)}`);
      used.dd.dataset.value = String(stats.codesUsed);
      usedBar.firstElementChild.style.width = `${(100 * stats.codesUsed) / stats.codes}%`;

      setText(sqnr.dd, dbText(stats.sqnrDb));
      sqnr.dd.dataset.value = String(stats.sqnrDb);
      setText(mse.dd, metricText(stats.mse));
      mse.dd.dataset.value = String(stats.mse);
      setText(maxErr.dd, metricText(stats.maxAbsError));
      maxErr.dd.dataset.value = String(stats.maxAbsError);
      setText(cosine.dd, stats.cosine.toFixed(6));
      cosine.dd.dataset.value = String(stats.cosine);

      chartBox.setAttribute(
        'aria-label',
        `Histogram of the data with the ${gridName(params)} ${scheme} grid: ${stats.codes} levels from ` +
          `${float32Display(g.lo)} to ${float32Display(g.hi)}, step ${float32Display(s)}; ` +
          `observer range ${float32Display(result.range.min)} to ${float32Display(result.range.max)}.`,
      );
      chart?.update(histogram, { logScale });
    },
    destroy() {
      chart?.destroy();
    },
  };
}
