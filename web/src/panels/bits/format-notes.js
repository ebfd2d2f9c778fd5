// Short explanations of each format. The numbers (field widths, bias, range,
// precision) come from ql.formatInfo(); only who uses a format is prose here.
import { h } from '../../shared/dom.js';
import { displayExact, readable } from '../../shared/numbers.js';

/** Full name and typical use of each format. */
export const FORMAT_NOTES = {
  fp32: {
    name: 'IEEE 754 single precision',
    short: 'reference; master weights',
    use: 'The reference format: master weights, optimizer state and most CPU inference.',
  },
  fp16: {
    name: 'IEEE 754 half precision',
    short: 'GPU and mobile inference',
    use: 'GPU and mobile inference. Its narrow range means training needs loss scaling.',
  },
  bf16: {
    name: 'bfloat16 (brain float)',
    short: 'mixed-precision training',
    use: "fp32's exponent with a short mantissa: same range as fp32, so it is the usual format for mixed-precision training.",
  },
  fp8_e4m3: {
    name: 'OCP FP8 E4M3 (fn)',
    short: 'weights and activations',
    use: 'More precision, less range: weights and activations in fp8 training and inference. No infinity, one NaN per sign.',
  },
  fp8_e5m2: {
    name: 'OCP FP8 E5M2',
    short: 'gradients',
    use: 'More range, less precision: gradients in fp8 training. Keeps IEEE infinities and NaNs.',
  },
};

const INTEGER_NOTE = {
  signed: "Two's complement integer",
  unsigned: 'Unsigned integer',
  short: 'quantized inference (with a scale)',
  use: 'Evenly spaced values with no exponent. Quantized inference stores weights and activations as int8 (or int4) with a scale and zero point.',
};

/** A number with its exact value as a tooltip. */
function num(x) {
  return h('span', { class: 'mono', title: displayExact(x).full }, readable(x));
}

/** Proportional bar of the fields: sign | exponent | mantissa. */
function layoutBar(info) {
  const parts =
    info.kind === 'integer'
      ? [
          ...(info.is_signed ? [['sign', 1]] : []),
          ['magnitude', info.total_bits - (info.is_signed ? 1 : 0)],
        ]
      : [
          ['sign', 1],
          ['exponent', info.exponent_bits],
          ['mantissa', info.mantissa_bits],
        ];
  return h(
    'div',
    { class: 'layout-bar', 'aria-hidden': 'true' },
    parts.map(([field, width]) =>
      h('span', { class: `layout-bar__part field-bg--${field}`, style: `flex-grow:${width}` }, String(width)),
    ),
  );
}

/**
 * A card explaining one format, built from its formatInfo.
 * @param {import('quantlab').FormatInfo} info
 */
export function formatCard(info) {
  if (info.kind === 'integer') {
    return h(
      'article',
      { class: 'format-card', 'data-testid': `format-card-${info.name}` },
      h('h3', { class: 'format-card__title' }, h('span', { class: 'mono' }, info.name), ' ', h('span', { class: 'format-card__alt' }, info.is_signed ? INTEGER_NOTE.signed : INTEGER_NOTE.unsigned)),
      layoutBar(info),
      h('p', null, `${info.total_bits} bits, no exponent: every integer from `, num(info.lowest), ' to ', num(info.max_finite), ', spaced exactly 1 apart.'),
      h('p', { class: 'format-card__use' }, INTEGER_NOTE.use),
    );
  }
  const note = FORMAT_NOTES[info.name] ?? { name: '', use: '' };
  const digits = ((info.mantissa_bits + 1) * Math.log10(2)).toFixed(1);
  return h(
    'article',
    { class: 'format-card', 'data-testid': `format-card-${info.name}` },
    h('h3', { class: 'format-card__title' }, h('span', { class: 'mono' }, info.name), ' ', h('span', { class: 'format-card__alt' }, note.name)),
    layoutBar(info),
    h(
      'p',
      null,
      `1 sign bit, ${info.exponent_bits} exponent bits (bias ${info.bias}) and ${info.mantissa_bits} mantissa bits: about ${digits} significant decimal digits.`,
    ),
    h(
      'dl',
      { class: 'limits' },
      h('div', null, h('dt', null, 'max finite'), h('dd', null, num(info.max_finite))),
      h('div', null, h('dt', null, 'min normal'), h('dd', null, num(info.min_normal))),
      h('div', null, h('dt', null, 'min subnormal'), h('dd', null, num(info.min_subnormal))),
      h('div', null, h('dt', null, 'epsilon'), h('dd', null, num(info.epsilon))),
      h('div', null, h('dt', null, 'exponents'), h('dd', { class: 'mono' }, `${info.min_exponent} … ${info.max_exponent}`)),
      h('div', null, h('dt', null, 'infinity'), h('dd', null, info.has_infinity ? 'yes' : 'no')),
    ),
    h('p', { class: 'format-card__use' }, note.use),
  );
}

/**
 * All formats side by side: field widths, range and precision.
 * @param {import('quantlab').FormatInfo[]} infos
 * @param {string} selected highlighted row
 */
export function formatTable(infos, selected) {
  const header = ['format', 'fields', 'bias', 'max finite', 'min normal', 'min subnormal', 'epsilon', 'infinity', 'used for'];
  const dash = () => h('span', { class: 'muted' }, '—');
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'reference-title' },
    h(
      'table',
      { class: 'format-table', 'data-testid': 'format-table' },
      h('thead', null, h('tr', null, header.map((title) => h('th', { scope: 'col' }, title)))),
      h(
        'tbody',
        null,
        infos.map((info) => {
          const isInt = info.kind === 'integer';
          const note = isInt ? INTEGER_NOTE : FORMAT_NOTES[info.name] ?? { short: '' };
          return h(
            'tr',
            { class: info.name === selected ? 'is-selected' : null, 'data-testid': `format-table-${info.name}` },
            h('th', { scope: 'row', class: 'mono' }, info.name),
            h('td', { class: 'mono' }, isInt ? `${info.is_signed ? 1 : 0} · ${info.total_bits - (info.is_signed ? 1 : 0)} int` : `1 · ${info.exponent_bits} · ${info.mantissa_bits}`),
            h('td', { class: 'mono num' }, isInt ? dash() : String(info.bias)),
            h('td', { class: 'num' }, num(info.max_finite)),
            h('td', { class: 'num' }, isInt ? dash() : num(info.min_normal)),
            h('td', { class: 'num' }, isInt ? dash() : num(info.min_subnormal)),
            h('td', { class: 'num' }, num(info.epsilon)),
            h('td', null, isInt ? dash() : info.has_infinity ? 'yes' : 'no'),
            h('td', { class: 'format-table__use' }, note.short),
          );
        }),
      ),
    ),
  );
}
