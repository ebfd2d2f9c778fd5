// The per-layer SQNR chart: for each layer, in the order they run, a bar of
// its isolated SQNR (only that layer quantized) and one of its propagated SQNR
// (the whole model quantized). Plain HTML bars, so every layer is an element
// the page can mark as selected and a click on a column selects that layer;
// the layer table below holds the same numbers for keyboards and screen
// readers, so the chart itself is one labelled image.
import { h } from '../../shared/dom.js';
import { dbText } from './format.js';

/** dB between grid lines. */
const GRID_DB = 10;

/** @param {{ onSelect: (name: string) => void }} handlers */
export function createSqnrChart({ onSelect }) {
  const grid = h('div', { class: 'cb-sqnr__grid', 'aria-hidden': 'true' });
  const bars = h('ol', { class: 'cb-sqnr__bars' });
  const plot = h('div', { class: 'cb-sqnr__plot', role: 'img', 'data-testid': 'cb-sqnr-chart' }, grid, bars);
  const el = h(
    'figure',
    { class: 'cb-sqnr' },
    h('div', { class: 'cb-sqnr__axis-title', 'aria-hidden': 'true' }, 'SQNR, dB (higher is better)'),
    plot,
    h(
      'figcaption',
      { class: 'cb-sqnr__caption' },
      h(
        'ul',
        { class: 'legend cb-sqnr__legend' },
        h('li', null, h('span', { class: 'legend__swatch cb-swatch--isolated' }), 'isolated: only this layer in int8'),
        h('li', null, h('span', { class: 'legend__swatch cb-swatch--propagated' }), 'propagated: the whole model in int8'),
        h('li', null, h('span', { class: 'legend__swatch cb-swatch--float' }), 'kept in float (no error of its own)'),
      ),
      h('span', { class: 'muted' }, 'Layers numbered as in the table; click a column to inspect it.'),
    ),
  );
  /** Columns by layer name. */
  const columns = new Map();

  return {
    el,
    /** @param {import('quantlab').PtqLayerReport[]} layers */
    render(layers) {
      const finite = layers.flatMap((l) => [l.isolated.sqnrDb, l.propagated.sqnrDb]).filter(Number.isFinite);
      const top = Math.max(GRID_DB, Math.ceil(Math.max(0, ...finite) / GRID_DB) * GRID_DB);
      const height = (db) => `${(100 * Math.max(0, Math.min(db, top))) / top}%`;
      grid.replaceChildren(
        ...Array.from({ length: top / GRID_DB + 1 }, (_, i) => h('span', { class: 'cb-sqnr__line', style: `bottom: ${(100 * i * GRID_DB) / top}%` }, h('span', { class: 'cb-sqnr__tick' }, String(i * GRID_DB)))),
      );
      columns.clear();
      bars.replaceChildren(
        ...layers.map((layer, i) => {
          const isolatedFloat = !layer.quantized || layer.isolated.sqnrDb === Infinity;
          const column = h(
            'li',
            {
              class: 'cb-sqnr__layer',
              'data-testid': 'cb-sqnr-layer',
              'data-layer': layer.name,
              'data-isolated': String(layer.isolated.sqnrDb),
              'data-propagated': String(layer.propagated.sqnrDb),
              title: `${i + 1}. ${layer.name}: isolated ${layer.quantized ? dbText(layer.isolated.sqnrDb) : 'float'}, propagated ${dbText(layer.propagated.sqnrDb)}`,
            },
            h(
              'span',
              { class: 'cb-sqnr__pair' },
              h('span', { class: `cb-sqnr__bar cb-sqnr__bar--isolated${isolatedFloat ? ' is-float' : ''}`, style: `height: ${isolatedFloat ? '100%' : height(layer.isolated.sqnrDb)}` }),
              h('span', { class: 'cb-sqnr__bar cb-sqnr__bar--propagated', style: `height: ${layer.propagated.sqnrDb === Infinity ? '100%' : height(layer.propagated.sqnrDb)}` }),
            ),
            h('span', { class: 'cb-sqnr__label' }, String(i + 1)),
          );
          column.addEventListener('click', () => onSelect(layer.name));
          columns.set(layer.name, column);
          return column;
        }),
      );
      const quantized = layers.filter((l) => l.quantized);
      const last = layers.at(-1);
      const worst = quantized.reduce((w, l) => (!w || l.isolated.sqnrDb < w.isolated.sqnrDb ? l : w), /** @type {any} */ (null));
      plot.setAttribute(
        'aria-label',
        `Bar chart of SQNR per layer, ${layers.length} layers. ` +
          (worst ? `Lowest isolated SQNR: ${worst.name}, ${dbText(worst.isolated.sqnrDb)}. ` : 'No layer is quantized. ') +
          (last ? `Propagated SQNR at the output: ${dbText(last.propagated.sqnrDb)}. ` : '') +
          'The layer table below lists every value.',
      );
      plot.dataset.count = String(layers.length);
    },
    /** Marks the selected layer's column. */
    select(name) {
      for (const [n, column] of columns) column.classList.toggle('is-selected', n === name);
    },
  };
}
