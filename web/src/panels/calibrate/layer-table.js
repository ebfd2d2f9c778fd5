// The layer table: every quantizable layer (Conv, Gemm, MatMul with its fused
// activation) with its isolated and propagated SQNR, the largest error at its
// output, its weights' SQNR and whether it runs in int8 or float. Each row's
// name is a button (Tab reaches it, Enter or Space selects); a click anywhere
// on the row selects it too.
import { h } from '../../shared/dom.js';
import { dbText, opText, precisionText, valueText } from './format.js';

/** @param {{ onSelect: (name: string) => void }} handlers */
export function createLayerTable({ onSelect }) {
  const body = h('tbody');
  const el = h(
    'div',
    { class: 'table-scroll cb-table-wrap' },
    h(
      'table',
      { class: 'format-table cb-table', 'data-testid': 'cb-layer-table' },
      h('caption', { class: 'visually-hidden' }, 'Quantized layers: isolated and propagated SQNR, largest error, weight SQNR, precision. Select a layer to see its histograms.'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Layer'),
          h('th', { scope: 'col', class: 'cb-col-op' }, 'Op'),
          h('th', { scope: 'col', class: 'num', title: 'SQNR in dB with only this layer quantized: the error it adds itself' }, 'Isolated', h('small', null, ' dB')),
          h('th', { scope: 'col', class: 'num', title: 'SQNR in dB with the whole model quantized: the error accumulated up to this layer' }, 'Propagated', h('small', null, ' dB')),
          h('th', { scope: 'col', class: 'num cb-col-err', title: 'Largest |int8 − float| at this layer’s output, whole model quantized' }, 'Max |error|'),
          h('th', { scope: 'col', class: 'num cb-col-wsqnr', title: 'SQNR in dB of the dequantized weights against the float weights' }, 'Weights', h('small', null, ' dB')),
          h('th', { scope: 'col', class: 'cb-col-runs' }, 'Runs in'),
        ),
      ),
      body,
    ),
  );
  /** Rows by layer name. */
  const rows = new Map();

  return {
    el,
    /** @param {import('quantlab').PtqLayerReport[]} layers */
    render(layers) {
      rows.clear();
      body.replaceChildren(
        ...layers.map((layer, i) => {
          const button = h(
            'button',
            { type: 'button', class: 'cb-layer-button mono', 'aria-pressed': 'false', 'data-testid': 'cb-layer-select', title: layer.name },
            h('span', { class: 'cb-layer-button__index' }, `${i + 1}.`),
            ` ${layer.name}`,
          );
          const row = h(
            'tr',
            {
              class: `cb-row${layer.quantized ? '' : ' is-float'}`,
              'data-testid': 'cb-layer-row',
              'data-layer': layer.name,
              'data-isolated': String(layer.isolated.sqnrDb),
              'data-propagated': String(layer.propagated.sqnrDb),
              'data-weight-sqnr': String(layer.weight.sqnrDb),
              'data-quantized': String(layer.quantized),
            },
            h('th', { scope: 'row', class: 'cb-col-name' }, button),
            h('td', { class: 'cb-col-op' }, opText(layer)),
            h('td', { class: 'num' }, layer.quantized ? dbText(layer.isolated.sqnrDb, { unit: false }) : h('span', { class: 'cb-float-mark' }, 'float')),
            h('td', { class: 'num' }, dbText(layer.propagated.sqnrDb, { unit: false })),
            h('td', { class: 'num cb-col-err' }, layer.propagated.sqnrDb === Infinity ? '0' : valueText(layer.propagated.maxAbsError)),
            h('td', { class: 'num cb-col-wsqnr' }, layer.quantized ? dbText(layer.weight.sqnrDb, { unit: false }) : '—'),
            h('td', { class: 'cb-col-runs' }, h('span', { class: `cb-badge cb-badge--${layer.quantized ? 'int' : 'float'}` }, precisionText(layer, layer.weight.bits))),
          );
          row.addEventListener('click', (event) => {
            if (event.target !== button) onSelect(layer.name);
          });
          button.addEventListener('click', () => onSelect(layer.name));
          rows.set(layer.name, { row, button });
          return row;
        }),
      );
    },
    /** Marks the selected row. */
    select(name) {
      for (const [n, { row, button }] of rows) {
        row.classList.toggle('is-selected', n === name);
        button.setAttribute('aria-pressed', String(n === name));
      }
    },
  };
}
