// Number text for the Calibrate panel (counts and bytes come from the Model
// panel's format.js). Elements that tests read carry the exact value in data-*.
export { bytesText, countText } from '../model/format.js';

/** An SQNR in dB: "36.5 dB"; Infinity (no error at all) → "exact". */
export function dbText(db, { unit = true } = {}) {
  if (db === Infinity) return 'exact';
  if (!Number.isFinite(db)) return '—';
  return `${db.toFixed(1)}${unit ? ' dB' : ''}`;
}

/** A fraction as a percentage: 0.922 → "92.2%" (digits after the point). */
export function percentText(fraction, digits = 1) {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** An accuracy change in percentage points (1,000 images: steps of 0.1), with a real minus: "−0.2 pts". */
export function pointsText(points) {
  const rounded = Math.round(points * 10) / 10;
  if (rounded === 0) return '0.0 pts';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(1)} pts`;
}

/** Milliseconds, 3 significant digits: "1.17 ms", "34.5 ms", "0.112 ms". */
export function msText(ms) {
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toPrecision(3)} ms`;
}

/** A speed ratio: 1.5 → "1.50× faster", 0.7 → "1.43× slower". */
export function speedupText(floatMs, int8Ms) {
  const ratio = floatMs / int8Ms;
  if (!Number.isFinite(ratio) || ratio <= 0) return '—';
  if (Math.abs(ratio - 1) < 0.005) return 'the same speed';
  return ratio > 1 ? `${ratio.toFixed(2)}× faster` : `${(1 / ratio).toFixed(2)}× slower`;
}

/** A value read off a histogram or a range, 4 significant digits, real minus. */
export function valueText(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  const text = a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
  return text.replace(/^-/, '−');
}

/** A range: "[−8.531, 5.726]". */
export function rangeText(lo, hi) {
  return `[${valueText(lo)}, ${valueText(hi)}]`;
}

/** The op and its fused activation: "Conv + Relu". */
export function opText(layer) {
  return layer.activation ? `${layer.opType} + ${layer.activation}` : layer.opType;
}

/** How a layer's weights are stored in the quantized model: "int8", "int4", "float". */
export function precisionText(layer, bits) {
  if (!layer.quantized) return 'float';
  return `int${bits}`;
}
