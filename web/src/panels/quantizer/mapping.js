// The float axis above the integer axis: where the grid's ends, real 0 and
// the example value land among the codes, and which codes the data covers.
// A schematic, not a chart: SVG lines (stretched to the width) and HTML
// labels positioned in percent.
import { h, setText } from '../../shared/dom.js';
import { float32Display, gridName, minus } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Labels closer than this (percent of the width) would overlap. */
const LABEL_GAP = 11;

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * Places labels on a row; a label closer than LABEL_GAP to a more important
 * one is merged into it (same text) or dropped.
 * @param {HTMLElement} row
 * @param {Array<{ pos: number, value: string, caption: string, kind?: string, priority: number }>} labels
 */
function placeLabels(row, labels) {
  const kept = [];
  for (const label of [...labels].sort((a, b) => b.priority - a.priority)) {
    const near = kept.find((k) => Math.abs(k.pos - label.pos) < LABEL_GAP);
    if (!near) kept.push({ ...label });
    else if (near.value === label.value && !near.caption.includes(label.caption)) near.caption += ` = ${label.caption}`;
  }
  row.replaceChildren(
    ...kept.map((k) => {
      const align = k.pos < 8 ? 'start' : k.pos > 92 ? 'end' : 'middle';
      return h(
        'span',
        { class: `qz-map__label qz-map__label--${align}${k.kind ? ` qz-map__label--${k.kind}` : ''}`, style: `left: ${k.pos}%` },
        h('span', { class: 'qz-map__value mono' }, k.value),
        h('span', { class: 'qz-map__caption' }, k.caption),
      );
    }),
  );
}

/** @param {'symmetric' | 'asymmetric'} scheme */
export function createMapping(scheme) {
  const floatRow = h('div', { class: 'qz-map__labels qz-map__labels--float' });
  const intRow = h('div', { class: 'qz-map__labels qz-map__labels--int' });
  const exampleTop = h('div', { class: 'qz-map__labels qz-map__labels--example' });
  const exampleBottom = h('div', { class: 'qz-map__labels qz-map__labels--example' });
  const floatTitle = h('span', { class: 'qz-map__axis-title' }, 'float x');
  const intTitle = h('span', { class: 'qz-map__axis-title' });

  const root = svg('svg', { class: 'qz-map__svg', viewBox: '0 0 1000 100', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const covered = svg('polygon', { class: 'qz-map__covered' });
  const floatAxis = svg('line', { class: 'qz-map__axis', x1: 0, x2: 1000, y1: 6, y2: 6 });
  const intAxis = svg('line', { class: 'qz-map__axis', x1: 0, x2: 1000, y1: 94, y2: 94 });
  const dataBand = svg('rect', { class: 'qz-map__data', y: 2, height: 8 });
  const codeTicks = svg('path', { class: 'qz-map__ticks' });
  const usedBand = svg('rect', { class: 'qz-map__used', y: 90, height: 8 });
  const links = { lo: svg('line', { class: 'qz-map__link' }), hi: svg('line', { class: 'qz-map__link' }) };
  const zeroLink = svg('line', { class: 'qz-map__link qz-map__link--zero' });
  const exampleLink = svg('line', { class: 'qz-map__link qz-map__link--example' });
  root.append(covered, dataBand, usedBand, floatAxis, intAxis, codeTicks, links.lo, links.hi, zeroLink, exampleLink);

  const el = h(
    'figure',
    { class: `qz-map qz-map--${scheme}`, 'data-testid': `mapping-${scheme}` },
    h('div', { class: 'qz-map__head' }, floatTitle),
    exampleTop,
    floatRow,
    root,
    intRow,
    exampleBottom,
    h('div', { class: 'qz-map__head' }, intTitle),
    h('figcaption', { class: 'visually-hidden' }),
  );
  const caption = /** @type {HTMLElement} */ (el.lastElementChild);

  const line = (node, x1, x2) => {
    node.setAttribute('x1', String(x1));
    node.setAttribute('x2', String(x2));
    node.setAttribute('y1', '10');
    node.setAttribute('y2', '90');
  };

  return {
    el,
    /**
     * @param {object} view
     * @param {import('quantlab').QuantParams} view.params
     * @param {{ lo: number, hi: number }} view.grid representable extent
     * @param {{ lo: number, hi: number }} view.axis float axis extent
     * @param {{ min: number, max: number }} view.data data extremes
     * @param {{ qmin: number, qmax: number }} view.dataCodes codes of the data extremes
     * @param {{ x: number, q: number, xhat?: number } | null} view.example
     */
    update({ params, grid, axis, data, dataCodes, example }) {
      const span = axis.hi - axis.lo || 1;
      const fx = (v) => (1000 * (v - axis.lo)) / span;
      const codes = params.qmax - params.qmin + 1;
      const cx = (q) => (1000 * (q - params.qmin + 0.5)) / codes;
      const z = params.zeroPoint[0];

      dataBand.setAttribute('x', String(fx(data.min)));
      dataBand.setAttribute('width', String(Math.max(2, fx(data.max) - fx(data.min))));
      const u0 = cx(dataCodes.qmin) - 500 / codes;
      const u1 = cx(dataCodes.qmax) + 500 / codes;
      usedBand.setAttribute('x', String(u0));
      usedBand.setAttribute('width', String(Math.max(2, u1 - u0)));
      covered.setAttribute('points', `${fx(data.min)},10 ${fx(data.max)},10 ${u1},90 ${u0},90`);
      line(links.lo, fx(grid.lo), cx(params.qmin));
      line(links.hi, fx(grid.hi), cx(params.qmax));
      line(zeroLink, fx(0), cx(z));
      exampleLink.style.display = example ? '' : 'none';
      if (example) line(exampleLink, fx(example.x), cx(example.q));

      // a tick per code (every k-th when there are many)
      const every = codes <= 64 ? 1 : Math.ceil(codes / 64);
      let d = '';
      for (let q = params.qmin; q <= params.qmax; q += every) d += `M${cx(q)} 88V100`;
      codeTicks.setAttribute('d', d);

      const pct = (x) => Math.min(100, Math.max(0, x / 10));
      placeLabels(floatRow, [
        { pos: pct(fx(grid.lo)), value: float32Display(grid.lo), caption: 'lowest level', priority: 3 },
        { pos: pct(fx(grid.hi)), value: float32Display(grid.hi), caption: 'highest level', priority: 3 },
        { pos: pct(fx(0)), value: '0', caption: 'zero', kind: 'zero', priority: 2 },
      ]);
      placeLabels(exampleTop, example ? [{ pos: pct(fx(example.x)), value: float32Display(example.x), caption: 'x', kind: 'example', priority: 1 }] : []);
      placeLabels(intRow, [
        { pos: pct(cx(params.qmin)), value: minus(params.qmin), caption: 'q_min', priority: 3 },
        { pos: pct(cx(params.qmax)), value: minus(params.qmax), caption: 'q_max', priority: 3 },
        { pos: pct(cx(z)), value: minus(z), caption: 'z', kind: 'zero', priority: 2 },
      ]);
      placeLabels(exampleBottom, example ? [{ pos: pct(cx(example.q)), value: minus(example.q), caption: 'q', kind: 'example', priority: 1 }] : []);
      setText(intTitle, `${gridName(params)} code q`);
      setText(
        caption,
        `${scheme}: float ${float32Display(grid.lo)} maps to code ${params.qmin}, 0 to ${z}, ` +
          `${float32Display(grid.hi)} to ${params.qmax}; the data covers codes ${dataCodes.qmin} to ${dataCodes.qmax}` +
          (example ? `; x = ${float32Display(example.x)} becomes q = ${example.q}.` : '.'),
      );
    },
  };
}
