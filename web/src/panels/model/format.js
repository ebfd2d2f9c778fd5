// Number text for the Model panel. Elements that tests read also carry the
// exact value in data-value.

/** 109386 → "109,386". */
export function countText(n) {
  return n.toLocaleString('en-US');
}

/** 109386 → "109k", 1234567 → "1.23M", 950 → "950". */
export function shortCount(n) {
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(2)}k`;
  return String(n);
}

/** 439223 → "429 KiB", 2.3e6 → "2.2 MiB". */
export function bytesText(n) {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n >= 100 * 1024 ? 0 : 1)} KiB`;
  return `${n} B`;
}

/** Operations: 0 → "—", 1.2e6 → "1.2M", 3456 → "3.5k". */
export function flopsText(n) {
  if (!n) return '—';
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)}G`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return String(Math.round(n));
}

/** A share in percent: 0.3412 → "34.1%", 0.0004 → "<0.1%". */
export function shareText(share) {
  if (share <= 0) return '0%';
  if (share < 0.001) return '<0.1%';
  return `${(100 * share).toFixed(1)}%`;
}

/** Accuracy in percent with 2 decimals: "90.00%". */
export function accuracyText(percent) {
  return `${percent.toFixed(2)}%`;
}

/** Images per second, 3 significant digits: "12,300/s". */
export function rateText(perSecond) {
  const rounded = perSecond >= 1000 ? Math.round(perSecond / 10) * 10 : Number(perSecond.toPrecision(3));
  return countText(rounded);
}
