// Number text for the Quantizer panel. Displayed numbers use a real minus
// sign; elements that tests read also carry the exact value in data-value.
import { compact } from '../../shared/numbers.js';

export { float32Display, float32Text } from '../../shared/float32.js';

/** A typographic minus for display. */
export function minus(text) {
  return String(text).replace(/^-/, '−').replace(/e-/, 'e−');
}

/** SQNR: "14.90 dB", "∞ dB". */
export function dbText(x) {
  if (x === Infinity) return '∞ dB';
  if (x === -Infinity) return '−∞ dB';
  return `${minus(x.toFixed(2))} dB`;
}

/** A metric with 4 significant digits: "0.0123", "1.23e-5". */
export function metricText(x) {
  return minus(compact(x));
}

/** 100000 → "100,000". */
export function countText(n) {
  return n.toLocaleString('en-US');
}

/** "int4", "uint8" from parameters. */
export function gridName(params) {
  return `${params.signed ? 'int' : 'uint'}${params.bits}`;
}

/** A value in an expression, parenthesised when negative: "(−3.5)". */
export function operand(text) {
  return text.startsWith('−') ? `(${text})` : text;
}
