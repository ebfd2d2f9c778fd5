// The observer race: every observer's clipping range over one histogram, and
// a table of what each range costs in SQNR for the chosen scheme.
import { h, setText } from '../../shared/dom.js';
import { pxRatio } from '../../shared/chart.js';
import { OBSERVERS, CALIBRATION_BATCH } from './analysis.js';
import { canvasFrame, createHistogramChart } from './histogram-chart.js';
import { countText, dbText, float32Display, float32Text } from './format.js';

/** Rows of brackets above the plot, one per observer (CSS px). */
const ROW = 13;
const BAND = OBSERVERS.length * ROW + 4;

export const OBSERVER_TEXT = {
  minmax: { name: 'min-max', about: 'the data’s extremes' },
  moving_average: { name: 'moving average', about: `batch extremes, averaged (momentum 0.01, batches of ${countText(CALIBRATION_BATCH)})` },
  percentile: { name: 'percentile', about: 'drops the outer tails' },
  mse: { name: 'MSE', about: 'minimises the expected squared error' },
  entropy: { name: 'entropy', about: 'minimises the KL divergence (TensorRT)' },
};

/** The CSS colour variable of an observer. */
export const observerColour = (observer) => `--qz-obs-${observer.replace('_', '-')}`;

/**
 * @param {import('uplot')} u
 * @param {'under' | 'over'} phase
 * @param {(name: string) => string} theme
 * @param {import('./analysis.js').Analysis['race'] | null} race
 */
function drawRace(u, phase, theme, race) {
  if (!race) return;
  const f = canvasFrame(u);
  const { ctx, r } = f;
  const best = race.rows.find((row) => row.observer === race.best);
  ctx.save();
  if (phase === 'under') {
    // what the best observer clips
    ctx.fillStyle = theme('--qz-clip');
    const xl = f.Xc(best.range.min);
    const xh = f.Xc(best.range.max);
    if (xl > f.left) ctx.fillRect(f.left, f.top, xl - f.left, f.height);
    if (xh < f.right) ctx.fillRect(xh, f.top, f.right - xh, f.height);
    ctx.restore();
    return;
  }
  const fontSize = 11 * r;
  ctx.font = `600 ${fontSize}px ${theme('--font-sans') || 'system-ui, sans-serif'}`;
  ctx.textBaseline = 'middle';
  race.rows.forEach((row, i) => {
    const isBest = row.observer === race.best;
    const colour = theme(observerColour(row.observer));
    const y = Math.round(f.top - (BAND - 2 - (i + 0.5) * ROW) * pxRatio()) + 0.5;
    const x0 = Math.round(f.Xc(row.range.min)) + 0.5;
    const x1 = Math.round(f.Xc(row.range.max)) + 0.5;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;

    // the range down through the plot
    ctx.globalAlpha = isBest ? 0.95 : 0.45;
    ctx.lineWidth = (isBest ? 2 : 1) * r;
    ctx.setLineDash(isBest ? [] : [3 * r, 3 * r]);
    ctx.beginPath();
    for (const x of [x0, x1]) {
      ctx.moveTo(x, y);
      ctx.lineTo(x, f.bottom);
    }
    ctx.stroke();

    // the bracket
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.lineWidth = (isBest ? 3 : 2) * r;
    ctx.beginPath();
    ctx.moveTo(x0, y);
    ctx.lineTo(x1, y);
    ctx.moveTo(x0, y - 4 * r);
    ctx.lineTo(x0, y + 4 * r);
    ctx.moveTo(x1, y - 4 * r);
    ctx.lineTo(x1, y + 4 * r);
    ctx.stroke();

    // its name on the bracket (knocked out of the line), else beside it
    const label = OBSERVER_TEXT[row.observer].name;
    const width = ctx.measureText(label).width;
    if (x1 - x0 >= width + 24 * r) {
      const cx = (x0 + x1) / 2;
      ctx.fillStyle = theme('--surface');
      ctx.fillRect(cx - width / 2 - 5 * r, y - 6 * r, width + 10 * r, 12 * r);
      ctx.fillStyle = colour;
      ctx.textAlign = 'center';
      ctx.fillText(label, cx, y);
    } else if (x1 + 6 * r + width <= f.right) {
      ctx.textAlign = 'left';
      ctx.fillText(label, x1 + 6 * r, y);
    } else if (x0 - 6 * r - width >= f.left) {
      ctx.textAlign = 'right';
      ctx.fillText(label, x0 - 6 * r, y);
    }
  });
  ctx.restore();
}

export function createRace() {
  const chartBox = h('div', { class: 'qz-chart qz-chart--race', role: 'img', 'data-testid': 'race-chart' });
  const rows = new Map();
  const tbody = h(
    'tbody',
    null,
    OBSERVERS.map((observer) => {
      const text = OBSERVER_TEXT[observer];
      const range = h('td', { class: 'mono qz-race__range', 'data-testid': `race-range-${observer}` });
      const scale = h('td', { class: 'mono num qz-hide-narrow', 'data-testid': `race-scale-${observer}` });
      const sqnr = h('td', { class: 'mono num qz-race__sqnr', 'data-testid': `race-sqnr-${observer}` });
      const delta = h('td', { class: 'mono num qz-hide-narrow', 'data-testid': `race-delta-${observer}` });
      const badge = h('span', { class: 'qz-best', hidden: true }, 'best');
      const tr = h(
        'tr',
        { 'data-testid': `race-${observer}` },
        h(
          'th',
          { scope: 'row' },
          h('span', { class: 'qz-race__name' }, h('span', { class: 'qz-swatch', style: `background: var(${observerColour(observer)})`, 'aria-hidden': 'true' }), text.name, badge),
          h('span', { class: 'qz-race__about' }, text.about),
        ),
        sqnr,
        delta,
        range,
        scale,
      );
      rows.set(observer, { tr, range, scale, sqnr, delta, badge });
      return tr;
    }),
  );
  const schemeNote = h('span');
  const table = h(
    'div',
    { class: 'table-scroll qz-race__table' },
    h(
      'table',
      { class: 'format-table qz-table', 'data-testid': 'observer-race' },
      h('caption', { class: 'visually-hidden' }, 'Observers, their clipping ranges and the SQNR they give'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Observer'),
          h('th', { scope: 'col', class: 'num' }, 'SQNR'),
          h('th', { scope: 'col', class: 'num qz-hide-narrow' }, 'vs min-max'),
          h('th', { scope: 'col' }, 'Clipping range'),
          h('th', { scope: 'col', class: 'num qz-hide-narrow' }, 'Scale'),
        ),
      ),
      tbody,
    ),
  );

  let race = null;
  let chart = null;

  return {
    chartBox,
    table,
    schemeNote,
    mount() {
      chart = createHistogramChart(chartBox, {
        band: BAND,
        height: (w) => (w < 420 ? 230 : 260),
        overlay: (u, phase, theme) => drawRace(u, phase, theme, race),
      });
    },
    /**
     * @param {import('./analysis.js').Analysis} analysis
     * @param {{ logScale: boolean, percentile: number }} options
     */
    update(analysis, { logScale, percentile }) {
      race = analysis.race;
      const minmax = race.rows.find((row) => row.observer === 'minmax');
      for (const row of race.rows) {
        const cells = rows.get(row.observer);
        const isBest = row.observer === race.best;
        cells.tr.classList.toggle('is-best', isBest);
        cells.tr.dataset.best = String(isBest);
        cells.badge.hidden = !isBest;
        setText(cells.range, `${float32Display(row.range.min)} … ${float32Display(row.range.max)}`);
        setText(cells.scale, float32Display(row.scale));
        cells.scale.dataset.value = float32Text(row.scale);
        setText(cells.sqnr, dbText(row.stats.sqnrDb));
        cells.sqnr.dataset.value = String(row.stats.sqnrDb);
        const delta = row.stats.sqnrDb - minmax.stats.sqnrDb;
        const sign = Math.abs(delta) < 0.005 ? '±' : delta > 0 ? '+' : '−';
        setText(cells.delta, row.observer === 'minmax' ? '—' : `${sign}${Math.abs(delta).toFixed(2)} dB`);
        cells.delta.dataset.tone = row.observer === 'minmax' || Math.abs(delta) < 0.005 ? 'neutral' : delta > 0 ? 'good' : 'bad';
      }
      const low = Number((100 - percentile).toPrecision(6));
      setText(rows.get('percentile').tr.querySelector('.qz-race__about'), `from the ${low}th to the ${percentile}th percentile`);
      setText(schemeNote, race.scheme);
      const best = race.rows.find((row) => row.observer === race.best);
      chartBox.setAttribute(
        'aria-label',
        `Histogram of the data with each observer's clipping range. Best: ${OBSERVER_TEXT[race.best].name}, ` +
          `${float32Display(best.range.min)} to ${float32Display(best.range.max)}, SQNR ${dbText(best.stats.sqnrDb)}; ` +
          `min-max ${dbText(minmax.stats.sqnrDb)}.`,
      );
      chart?.update(analysis.raceHistogram, { logScale });
    },
    destroy() {
      chart?.destroy();
    },
  };
}
