// One layer up close: the histogram of its weights and of its output
// activation as calibration saw them, with the clipping range the observer
// chose (the int8 grid covers exactly that range; values outside saturate)
// and the extremes seen; scales, zero points, and for per-channel weights
// each channel's range. The histograms are the Quantizer panel's uPlot chart
// with an overlay drawn here.
import { h, setText } from '../../shared/dom.js';
import { canvasFrame, createHistogramChart, shadeOutside } from '../quantizer/histogram-chart.js';
import { countText, dbText, opText, rangeText, valueText } from './format.js';

/** CSS pixels above the plot for the bracket of the clipping range. */
const BAND = 14;

/**
 * What a histogram shows: the bins, and the ranges drawn over them.
 * @typedef {{ lo: number, hi: number, centres: Float64Array, counts: Float64Array,
 *             clip: [number, number], seen: [number, number] }} HistView
 */

/**
 * Bins of a report histogram with room for the clip and seen ranges.
 * @param {import('quantlab').PtqHistogram} hist
 * @param {[number, number]} clip
 * @param {[number, number]} seen
 * @returns {HistView}
 */
export function histView(hist, clip, seen) {
  const n = hist.counts.length;
  const centres = new Float64Array(n);
  for (let i = 0; i < n; i += 1) centres[i] = (hist.edges[i] + hist.edges[i + 1]) / 2;
  let lo = Math.min(hist.edges[0], clip[0], seen[0]);
  let hi = Math.max(hist.edges[n], clip[1], seen[1]);
  const pad = (hi - lo) * 0.03 || 1;
  lo -= pad;
  hi += pad;
  return { lo, hi, centres, counts: Float64Array.from(hist.counts), clip, seen };
}

/** The share of the histogram's values whose bin lies outside the clipping range. */
export function clippedShare(hist, [clipMin, clipMax]) {
  let outside = 0;
  let total = 0;
  for (let i = 0; i < hist.counts.length; i += 1) {
    const centre = (hist.edges[i] + hist.edges[i + 1]) / 2;
    total += hist.counts[i];
    if (centre < clipMin || centre > clipMax) outside += hist.counts[i];
  }
  return total ? outside / total : 0;
}

/**
 * Shades what the grid clips ('under'); then the clipping range as a bracket
 * above the plot and solid lines, and the extremes seen as dashed lines ('over').
 * @param {import('uplot')} u
 * @param {'under' | 'over'} phase
 * @param {(name: string) => string} theme
 * @param {HistView | null} view
 */
function drawRanges(u, phase, theme, view) {
  if (!view) return;
  const f = canvasFrame(u);
  const { ctx, r } = f;
  const [clipMin, clipMax] = view.clip;
  ctx.save();
  if (phase === 'under') {
    shadeOutside(f, clipMin, clipMax, theme('--qz-clip'));
    ctx.restore();
    return;
  }
  const accent = theme('--cb-clip');
  // the clipping range: a bracket above the plot, solid lines across it
  const y = f.top - 5 * r;
  ctx.strokeStyle = accent;
  ctx.lineWidth = 2 * r;
  ctx.beginPath();
  ctx.moveTo(f.Xc(clipMin), y + 4 * r);
  ctx.lineTo(f.Xc(clipMin), y);
  ctx.lineTo(f.Xc(clipMax), y);
  ctx.lineTo(f.Xc(clipMax), y + 4 * r);
  ctx.stroke();
  ctx.lineWidth = Math.max(1, 1.5 * r);
  ctx.beginPath();
  for (const v of view.clip) {
    const x = Math.round(f.X(v)) + 0.5;
    ctx.moveTo(x, f.top);
    ctx.lineTo(x, f.bottom);
  }
  ctx.stroke();
  // the extremes seen, dashed
  ctx.strokeStyle = theme('--text');
  ctx.globalAlpha = 0.7;
  ctx.lineWidth = Math.max(1, 1.25 * r);
  ctx.setLineDash([4 * r, 3 * r]);
  ctx.beginPath();
  for (const v of view.seen) {
    const x = Math.round(f.X(v)) + 0.5;
    ctx.moveTo(x, f.top);
    ctx.lineTo(x, f.bottom);
  }
  ctx.stroke();
  ctx.restore();
}

/** A histogram figure: title, chart, key, facts. */
function createHistogram({ title, testid }) {
  const heading = h('h4', { class: 'cb-hist__title' }, title);
  const name = h('p', { class: 'cb-hist__name mono' });
  const box = h('div', { class: 'cb-hist__chart', role: 'img', 'data-testid': `${testid}-chart` });
  const facts = h('dl', { class: 'cb-facts' });
  const extra = h('div', { class: 'cb-hist__extra' });
  const empty = h('p', { class: 'cb-hist__empty muted', hidden: true });
  const key = h(
    'ul',
    { class: 'legend cb-hist__key', 'aria-hidden': 'true' },
    h('li', null, h('span', { class: 'cb-key cb-key--clip' }), 'clipping range'),
    h('li', null, h('span', { class: 'cb-key cb-key--seen' }), 'min / max seen'),
    h('li', null, h('span', { class: 'cb-key cb-key--shade' }), 'saturates'),
  );
  const body = h('div', { class: 'cb-hist__body' }, box, key, facts, extra);
  const el = h('div', { class: 'cb-hist', 'data-testid': testid }, heading, name, empty, body);
  /** @type {HistView | null} */
  let view = null;
  /** @type {ReturnType<typeof createHistogramChart> | null} */
  let chart = null;
  return {
    el,
    /**
     * @param {{ name: string, hist: import('quantlab').PtqHistogram, clip: [number, number], seen: [number, number],
     *           label: string, facts: Array<[string, string, Record<string, string>?]>, extra?: Node | null }} spec
     * @param {boolean} logScale
     */
    show(spec, logScale) {
      empty.hidden = true;
      body.hidden = false;
      setText(name, spec.name);
      view = histView(spec.hist, spec.clip, spec.seen);
      chart ??= createHistogramChart(box, {
        band: BAND,
        height: (w) => (w < 420 ? 160 : 190),
        overlay: (u, phase, theme) => drawRanges(u, phase, theme, view),
      });
      chart.update(view, { logScale });
      box.setAttribute('aria-label', spec.label);
      el.dataset.clipMin = String(spec.clip[0]);
      el.dataset.clipMax = String(spec.clip[1]);
      el.dataset.bins = String(spec.hist.counts.length);
      facts.replaceChildren(...spec.facts.map(([term, value, attrs]) => h('div', { class: 'cb-fact' }, h('dt', null, term), h('dd', { class: 'mono', ...(attrs ?? {}) }, value))));
      extra.replaceChildren(spec.extra ?? '');
    },
    /** No histogram (dynamic activations): a sentence instead. */
    showEmpty(nameText, why) {
      setText(name, nameText);
      setText(empty, why);
      empty.hidden = false;
      body.hidden = true;
      delete el.dataset.clipMin;
      delete el.dataset.clipMax;
      delete el.dataset.bins;
    },
    setLogScale(logScale) {
      if (view) chart?.update(view, { logScale });
    },
    destroy() {
      chart?.destroy();
      chart = null;
    },
  };
}

/**
 * Each output channel's range as a thin column: the extremes faint, the
 * clipping range solid (they coincide for min-max), 0 as a line.
 * @param {import('quantlab').PtqLayerReport['weight']} w
 */
function channelStrip(w) {
  const n = w.min.length;
  const lo = Math.min(0, ...w.min, ...w.clipMin);
  const hi = Math.max(0, ...w.max, ...w.clipMax);
  const y = (v) => (100 * (hi - v)) / (hi - lo || 1);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n} 100`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'cb-strip__svg');
  const rect = (cls, x, y0, y1) => {
    const r = document.createElementNS(ns, 'rect');
    r.setAttribute('class', cls);
    r.setAttribute('x', String(x + 0.15));
    r.setAttribute('width', '0.7');
    r.setAttribute('y', String(Math.min(y0, y1)));
    r.setAttribute('height', String(Math.max(0.5, Math.abs(y1 - y0))));
    return r;
  };
  for (let c = 0; c < n; c += 1) {
    svg.append(rect('cb-strip__seen', c, y(w.max[c]), y(w.min[c])));
    svg.append(rect('cb-strip__clip', c, y(w.clipMax[c]), y(w.clipMin[c])));
  }
  const zero = document.createElementNS(ns, 'line');
  zero.setAttribute('class', 'cb-strip__zero');
  zero.setAttribute('x1', '0');
  zero.setAttribute('x2', String(n));
  zero.setAttribute('y1', String(y(0)));
  zero.setAttribute('y2', String(y(0)));
  svg.append(zero);
  const spans = w.clipMax.map((mx, c) => mx - w.clipMin[c]);
  const widest = Math.max(...spans);
  const narrowest = Math.min(...spans);
  return h(
    'figure',
    { class: 'cb-strip', 'data-testid': 'cb-channel-strip', 'data-channels': String(n) },
    h('div', { class: 'cb-strip__plot', role: 'img', 'aria-label': `Clipping range of each of the ${n} output channels; the widest is ${(widest / (narrowest || 1)).toFixed(1)} times the narrowest.` }, svg),
    h(
      'figcaption',
      { class: 'cb-hint' },
      `Each of the ${countText(n)} output channels has its own range and scale: the widest is ${(widest / (narrowest || 1)).toFixed(1)}× the narrowest. `,
      `One scale for the whole tensor would give the narrow channels only a few of the ${countText(w.qmax - w.qmin + 1)} levels.`,
    ),
  );
}

/** min … max of a list, as text; one value when they are equal. */
function spread(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? valueText(lo) : `${valueText(lo)} … ${valueText(hi)}`;
}

export function createLayerDetail() {
  const title = h('h3', { class: 'cb-detail__title', id: 'cb-detail-title', tabindex: '-1' });
  const badges = h('p', { class: 'cb-detail__badges' });
  const errors = h('p', { class: 'cb-detail__errors', 'data-testid': 'cb-detail-errors' });
  const log = h('input', { type: 'checkbox', checked: true, 'data-testid': 'cb-log-scale' });
  const weights = createHistogram({ title: 'Weights', testid: 'cb-weight-hist' });
  const activation = createHistogram({ title: 'Output activation', testid: 'cb-activation-hist' });
  const el = h(
    'section',
    { class: 'cb-detail', 'aria-labelledby': 'cb-detail-title', 'data-testid': 'cb-detail', hidden: true },
    h('div', { class: 'cb-detail__head' }, h('div', null, title, badges, errors), h('label', { class: 'toggle cb-toggle' }, log, h('span', null, 'Log scale for counts'))),
    h('div', { class: 'cb-detail__grid' }, weights.el, activation.el),
    h(
      'p',
      { class: 'cb-note' },
      'Why the clipping range matters: int8 has 256 codes, spread evenly over [clip min, clip max]. ',
      'A range stretched to one rare outlier makes every step coarse for the common values; a range cut too tight saturates the tail (the shaded parts). ',
      'Min-max never clips; percentile, MSE and entropy trade a little clipping for finer steps. Weights are symmetric, so 0 stays exact.',
    ),
  );
  log.addEventListener('change', () => {
    weights.setLogScale(log.checked);
    activation.setLogScale(log.checked);
  });

  return {
    el,
    /**
     * @param {import('quantlab').PtqLayerReport} layer
     * @param {number} index its position (0-based)
     * @param {'static' | 'dynamic'} mode
     */
    show(layer, index, mode) {
      el.hidden = false;
      el.dataset.layer = layer.name;
      setText(title, `${index + 1}. ${layer.name}`);
      badges.replaceChildren(
        h('span', { class: 'cb-chip mono' }, opText(layer)),
        h('span', { class: `cb-badge cb-badge--${layer.quantized ? 'int' : 'float'}` }, layer.quantized ? `runs in int8, int${layer.weight.bits} weights` : 'kept in float'),
      );
      setText(
        errors,
        layer.quantized
          ? `Isolated SQNR ${dbText(layer.isolated.sqnrDb)} · propagated ${dbText(layer.propagated.sqnrDb)} · weights ${dbText(layer.weight.sqnrDb)} · max |error| ${valueText(layer.propagated.maxAbsError)}`
          : `Kept in float: no error of its own; propagated SQNR ${dbText(layer.propagated.sqnrDb)} from the int8 layers before it.${mode === 'dynamic' ? ' Dynamic mode quantizes only Gemm and MatMul.' : ''}`,
      );

      const w = layer.weight;
      const channels = w.scale.length;
      const clip = /** @type {[number, number]} */ ([Math.min(...w.clipMin), Math.max(...w.clipMax)]);
      const seen = /** @type {[number, number]} */ ([Math.min(...w.min), Math.max(...w.max)]);
      weights.show(
        {
          name: `${w.name} · ${w.shape.join('×')}`,
          hist: w.histogram,
          clip,
          seen,
          label: `Histogram of the ${countText(w.histogram.counts.reduce((a, b) => a + b, 0))} weights of ${layer.name}, from ${valueText(seen[0])} to ${valueText(seen[1])}; clipping range ${rangeText(...clip)}${channels > 1 ? ', all channels together' : ''}.`,
          facts: [
            ['grid', `int${w.bits} symmetric, codes ${w.qmin} … ${w.qmax}${layer.quantized ? '' : ' (unused: kept in float)'}`.replace(/-/g, '−')],
            [channels > 1 ? `scales (${countText(channels)} channels)` : 'scale', spread(w.scale), { 'data-testid': 'cb-weight-scale' }],
            [channels > 1 ? 'channel ranges span' : 'clip range', rangeText(...clip)],
            ['SQNR', dbText(w.sqnrDb)],
          ],
          extra: channels > 1 ? channelStrip(w) : null,
        },
        log.checked,
      );

      const a = layer.outputActivation;
      if (!a) {
        activation.showEmpty(
          layer.output,
          mode === 'dynamic'
            ? 'Dynamic mode: this activation gets its scale and zero point from each batch as the model runs, so calibration recorded no range for it.'
            : 'No calibrated range for this output.',
        );
      } else {
        const share = clippedShare(a.histogram, [a.clipMin, a.clipMax]);
        const clips = a.clipMin > a.seenMin || a.clipMax < a.seenMax;
        activation.show(
          {
            name: a.name,
            hist: a.histogram,
            clip: [a.clipMin, a.clipMax],
            seen: [a.seenMin, a.seenMax],
            label: `Histogram of ${a.name} over the calibration images: seen from ${valueText(a.seenMin)} to ${valueText(a.seenMax)}, clipping range ${rangeText(a.clipMin, a.clipMax)}, scale ${valueText(a.scale)}, zero point ${a.zeroPoint}.`,
            facts: [
              ['scale', valueText(a.scale), { 'data-testid': 'cb-act-scale', 'data-value': String(a.scale) }],
              ['zero point', String(a.zeroPoint).replace(/^-/, '−'), { 'data-testid': 'cb-act-zero-point', 'data-value': String(a.zeroPoint) }],
              ['clip range', rangeText(a.clipMin, a.clipMax), { 'data-testid': 'cb-act-clip' }],
              ['seen', rangeText(a.seenMin, a.seenMax)],
              ['saturates', clips ? `≈ ${share < 0.0001 ? '<0.01' : (100 * share).toFixed(2)}% of values` : 'nothing (the range holds every value seen)'],
            ],
          },
          log.checked,
        );
      }
    },
    hide() {
      el.hidden = true;
    },
    destroy() {
      weights.destroy();
      activation.destroy();
    },
  };
}
