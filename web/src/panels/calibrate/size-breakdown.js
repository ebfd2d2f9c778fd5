// Where the bytes of the two ONNX files go (the report's size breakdown): two
// bars on one scale, the float file's and the QDQ file's, split into weights,
// biases, scales and zero points, other tensors and the graph; the table below
// them carries the same numbers for screen readers and tests.
import { h } from '../../shared/dom.js';
import { bytesText } from './format.js';

/** [key in PtqSizeBreakdown, label, what it holds]. */
const PARTS = [
  ['weights', 'Weights', 'float32 in the float file; in the quantized one an int8 code each, or two int4 codes per byte'],
  ['biases', 'Biases', 'float32, or int32 codes at the scale s_x·s_w'],
  ['quantParams', 'Scales and zero points', 'per output channel for weights and biases, per tensor for activations'],
  ['otherTensors', 'Other tensors', 'BatchNormalization parameters (folded into the layers before quantizing) and shapes'],
  ['graph', 'Graph', 'nodes, value names, shapes and the file’s framing'],
];

/** "0.238×" of the float file. */
const ratioText = (bytes, floatTotal) => `${(bytes / floatTotal).toFixed(3)}×`;

/**
 * @param {import('quantlab').PtqReport} report
 * @param {'static' | 'dynamic'} mode
 * @returns {HTMLElement}
 */
export function renderSizeBreakdown(report, mode) {
  const { float: f, quantized: q } = report.size;
  const bar = (label, b) =>
    h(
      'div',
      { class: 'cb-bytes__row' },
      h('span', { class: 'cb-bytes__label' }, label),
      h(
        'span',
        { class: 'cb-bytes__track' },
        h(
          'span',
          { class: 'cb-bytes__bar', style: `width: ${((100 * b.total) / f.total).toFixed(2)}%` },
          PARTS.map(([key]) => (b[key] > 0 ? h('span', { class: `cb-bytes__part cb-bytes__part--${key}`, style: `flex-grow: ${b[key]}` }) : null)),
        ),
      ),
      h('span', { class: 'cb-bytes__total' }, bytesText(b.total)),
    );

  const rows = PARTS.map(([key, label, what]) =>
    h(
      'tr',
      { 'data-part': key, 'data-float': String(f[key]), 'data-quantized': String(q[key]) },
      h('th', { scope: 'row' }, h('span', { class: `cb-bytes__swatch cb-bytes__part--${key}`, 'aria-hidden': 'true' }), label, h('small', { class: 'cb-bytes__what' }, what)),
      h('td', { class: 'num' }, bytesText(f[key])),
      h('td', { class: 'num' }, bytesText(q[key])),
      h('td', { class: 'num' }, q[key] > 0 ? ratioText(q[key], f.total) : '—'),
    ),
  );

  const rest = q.total - q.weights;
  return h(
    'section',
    { class: 'cb-bytes', 'aria-labelledby': 'cb-bytes-title', 'data-testid': 'cb-size-breakdown' },
    h('h3', { class: 'cb-subtitle', id: 'cb-bytes-title' }, 'Where the bytes go'),
    h('div', { class: 'cb-bytes__bars', 'aria-hidden': 'true' }, bar('float', f), bar('int8', q)),
    h(
      'div',
      { class: 'table-scroll cb-table-wrap' },
      h(
        'table',
        { class: 'format-table cb-table cb-bytes__table', 'data-testid': 'cb-size-table' },
        h('caption', { class: 'visually-hidden' }, 'Bytes of the float and the quantized ONNX file by what they hold'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Part'), h('th', { scope: 'col', class: 'num' }, 'float file'), h('th', { scope: 'col', class: 'num' }, 'int8 file'), h('th', { scope: 'col', class: 'num' }, h('span', null, 'int8 part'), h('br'), h('small', null, '÷ float file')))),
        h('tbody', null, rows),
      ),
    ),
    h(
      'p',
      { class: 'cb-note' },
      `The quantized weights are ${ratioText(q.weights, f.total)} of the float file: each float32 weight became one byte, or half a byte with 4-bit weights. `,
      `Everything else adds ${ratioText(rest, f.total)}, and it does not shrink with the weights: `,
      mode === 'dynamic'
        ? 'each quantized layer stores a float32 scale and an int8 zero point per output column, and adds DynamicQuantizeLinear, MatMulInteger, Cast and Mul nodes to the graph. '
        : 'per output channel (or per tensor) a layer stores a float32 weight scale, an int32 bias and the bias’s scale, and every quantized tensor adds QuantizeLinear and DequantizeLinear nodes to the graph. ',
      'The smaller the layers, the more this costs next to the weights, so a small model stays further above a quarter of its float size than a large one.',
    ),
  );
}
