// Text for float32 values: the shortest decimal that reads back as the same
// float32 (what the core stores: scales, ranges, levels). Math.fround of the
// parsed text gives back the value exactly, so tests can compare by equality.

/**
 * The shortest decimal that rounds to `x` in float32: 0.0941176488995552 →
 * "0.09411765". Values that are not float32 get the nearest float32's text.
 * @param {number} x
 */
export function float32Text(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  const f = Math.fround(x);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let digits = 1; digits <= 9; digits += 1) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return String(Number(text));
  }
  return String(f); // unreachable: 9 significant digits identify any float32
}

/**
 * float32Text() for display: a typographic minus, and scientific notation
 * outside [1e-4, 1e7) ("7.855255e−6" rather than "0.000007855255").
 */
export function float32Display(x) {
  let text = float32Text(x);
  const magnitude = Math.abs(Number(text));
  if (Number.isFinite(magnitude) && magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e7)) {
    const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
    text = Number(text).toExponential(Math.max(0, digits - 1));
  }
  return text.replace(/^-/, '−').replace('e-', 'e−').replace('e+', 'e');
}

/** Half to even, as the core's default rounding (Q2, Q6). */
export function roundHalfEven(v) {
  const floor = Math.floor(v);
  const fraction = v - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
