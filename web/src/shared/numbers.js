// Number formatting for the page. Every double is a finite binary fraction, so
// its exact decimal expansion is finite: exactDecimal() computes it with BigInt
// (the stored value of an fp32/fp16/fp8 pattern is shown with all its digits).

const view = new DataView(new ArrayBuffer(8));

/**
 * The exact decimal expansion of a double, e.g. 0.1f → "0.100000001490116119384765625".
 * @param {number} x
 * @returns {string} plain notation ("-0", "85.125", "340282346638528859811704183484516925440")
 */
export function exactDecimal(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const exponentField = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent; // x = mantissa * 2^exponent
  if (exponentField === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = exponentField - 1075;
  }
  if (mantissa === 0n) return `${sign}0`;
  if (exponent >= 0) return sign + (mantissa << BigInt(exponent)).toString();
  while ((mantissa & 1n) === 0n && exponent < 0) {
    mantissa >>= 1n;
    exponent += 1;
  }
  if (exponent >= 0) return sign + (mantissa << BigInt(exponent)).toString();
  // mantissa / 2^k = mantissa * 5^k / 10^k
  const scale = -exponent;
  const digits = (mantissa * 5n ** BigInt(scale)).toString().padStart(scale + 1, '0');
  return `${sign}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

/** Longest plain decimal shown before switching to scientific notation. */
const MAX_PLAIN_CHARS = 42;
/** Significant digits shown in scientific notation before "…". */
const MAX_SCIENTIFIC_DIGITS = 30;

/**
 * The exact value for display: plain when short, else scientific notation,
 * cut with "…" when very long (`full` always holds every digit).
 * @param {number} x
 * @returns {{ text: string, full: string, truncated: boolean }}
 */
export function displayExact(x) {
  const full = exactDecimal(x);
  if (full.length <= MAX_PLAIN_CHARS || !Number.isFinite(x)) {
    return { text: full, full, truncated: false };
  }
  const sign = full.startsWith('-') ? '-' : '';
  const unsigned = sign ? full.slice(1) : full;
  const point = unsigned.indexOf('.');
  const intPart = point < 0 ? unsigned : unsigned.slice(0, point);
  const fracPart = point < 0 ? '' : unsigned.slice(point + 1);
  let significant;
  let exponent10;
  if (intPart !== '0') {
    significant = (intPart + fracPart).replace(/0+$/, '');
    exponent10 = intPart.length - 1;
  } else {
    const leadingZeros = fracPart.match(/^0*/)[0].length;
    significant = fracPart.slice(leadingZeros);
    exponent10 = -(leadingZeros + 1);
  }
  const truncated = significant.length > MAX_SCIENTIFIC_DIGITS;
  const kept = truncated ? significant.slice(0, MAX_SCIENTIFIC_DIGITS) : significant;
  const mantissa = kept.length > 1 ? `${kept[0]}.${kept.slice(1)}` : kept;
  return { text: `${sign}${mantissa}${truncated ? '…' : ''}e${exponent10}`, full, truncated };
}

/**
 * A short human reading of a number (4 significant digits): "85.13", "1.49e-9", "Inf".
 * @param {number} x
 */
export function compact(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const magnitude = Math.abs(x);
  if (Number.isInteger(x) && magnitude < 1e6) return String(x);
  if (magnitude >= 1e-3 && magnitude < 1e6) return String(Number(x.toPrecision(4)));
  const [mantissa, exponent] = x.toExponential(3).split('e');
  return `${mantissa.replace(/\.?0+$/, '')}e${Number(exponent)}`;
}

/** Longest shortest-round-trip text readable() shows before abbreviating. */
const MAX_READABLE_CHARS = 12;

/**
 * The exact shortest decimal when it is short ("0.015625", "65504"), else
 * compact() ("3.403e38", "5.96e-8").
 * @param {number} x
 */
export function readable(x) {
  const text = String(x);
  return Number.isFinite(x) && text.length <= MAX_READABLE_CHARS && !text.includes('e') ? text : compact(x);
}

/** compact() with an explicit sign: "+1.49e-9", "-0.125", "0". */
export function signedCompact(x) {
  const text = compact(x);
  return x > 0 ? `+${text}` : text;
}

/**
 * Text for the value box that reads back as the same double:
 * "nan", "inf", "-inf", "-0", or the shortest round-trip decimal.
 * @param {number} x
 */
export function numberToInputText(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}
