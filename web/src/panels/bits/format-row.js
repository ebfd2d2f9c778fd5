// One format as a row of the Bits panel: the bit boxes (buttons that flip a
// bit), coloured by field, and what the stored pattern means: hex, class,
// stored value, error and overflow status.
import { h, setText } from '../../shared/dom.js';
import { compact, displayExact, signedCompact } from '../../shared/numbers.js';

/** @typedef {import('quantlab').FormatInfo} FormatInfo */
/** @typedef {import('quantlab').FloatBits} FloatBits */

/** Display names of the fields, as in the legend. */
export const FIELD_LABELS = {
  sign: 'sign',
  exponent: 'exponent',
  mantissa: 'mantissa',
  magnitude: 'integer bits',
};

/**
 * The field a bit belongs to (index 0 = least significant bit).
 * @param {FormatInfo} info
 * @param {number} index
 * @returns {'sign' | 'exponent' | 'mantissa' | 'magnitude'}
 */
export function fieldOfBit(info, index) {
  const top = index === info.total_bits - 1;
  if (info.kind === 'integer') return info.is_signed && top ? 'sign' : 'magnitude';
  if (top) return 'sign';
  return index >= info.mantissa_bits ? 'exponent' : 'mantissa';
}

/** "1 · 8 · 23" for floats, "8-bit two's complement" for integers. */
export function layoutLabel(info) {
  if (info.kind === 'integer') {
    return `${info.total_bits}-bit ${info.is_signed ? "two's complement" : 'unsigned'}`;
  }
  return `1 · ${info.exponent_bits} · ${info.mantissa_bits}`;
}

/** Accessible summary of the layout: "1 sign, 8 exponent and 23 mantissa bits". */
function layoutSentence(info) {
  if (info.kind === 'integer') {
    return `${info.total_bits} bits, ${info.is_signed ? "two's complement" : 'unsigned'}`;
  }
  return `1 sign, ${info.exponent_bits} exponent and ${info.mantissa_bits} mantissa bits`;
}

/**
 * What happened to the input in this format: exact, rounded, saturated...
 * @param {FloatBits} r
 * @param {FormatInfo} info
 * @param {boolean} pinned the row shows a pattern the user edited
 * @returns {{ text: string, tone: 'good' | 'neutral' | 'warn' | 'bad' | 'info', hint: string }}
 */
export function statusOf(r, info, pinned) {
  if (pinned) {
    return { text: 'edited pattern', tone: 'info', hint: 'You flipped a bit: this row shows that exact pattern. Type a value to release it.' };
  }
  if (Number.isNaN(r.input)) return { text: 'NaN', tone: 'neutral', hint: 'Not a number is stored as NaN.' };
  if (!Number.isFinite(r.input)) {
    if (r.class === 'infinity') return { text: 'infinity', tone: 'neutral', hint: 'Infinity is stored as infinity.' };
    if (r.class === 'nan') {
      return { text: '∞ → NaN', tone: 'bad', hint: `${info.name} has no infinity: without saturation infinity becomes NaN.` };
    }
    return { text: 'saturated', tone: 'warn', hint: `${info.name} has no infinity: saturated to ${compact(r.stored_value)}.` };
  }
  if (r.overflowed) {
    if (r.class === 'infinity') {
      return { text: 'overflow → ∞', tone: 'bad', hint: `Larger than the largest finite ${info.name} (${compact(info.max_finite)}).` };
    }
    if (r.class === 'nan') {
      return { text: 'overflow → NaN', tone: 'bad', hint: `${info.name} has no infinity: without saturation an overflow becomes NaN.` };
    }
    const word = info.kind === 'integer' ? 'clamped' : 'saturated';
    return { text: word, tone: 'warn', hint: `Outside the range of ${info.name}: ${word} to ${compact(r.stored_value)}.` };
  }
  if (info.kind === 'float' && r.class === 'zero' && r.input !== 0) {
    return { text: 'underflow → 0', tone: 'warn', hint: `Smaller than half the smallest ${info.name} value: rounds to zero.` };
  }
  if (r.error === 0) return { text: 'exact', tone: 'good', hint: `The value is exactly representable in ${info.name}.` };
  return { text: 'rounded', tone: 'neutral', hint: 'Rounded to the nearest representable value (ties to even).' };
}

/**
 * Creates a row. Call `update()` with each new result.
 * @param {object} options
 * @param {string} options.format
 * @param {FormatInfo} options.info
 * @param {HTMLElement} [options.nameControl] replaces the format name (the integer row's selector)
 * @param {(format: string, bitIndex: number) => void} options.onFlip
 * @param {(format: string) => void} options.onSelect
 */
export function createFormatRow({ format, info, nameControl, onFlip, onSelect }) {
  let currentFormat = format;
  let currentInfo = info;
  /** @type {HTMLButtonElement[]} buttons by bit index (0 = LSB) */
  let buttons = [];
  let activeIndex = info.total_bits - 1;

  const nameButton = nameControl
    ? null
    : h('button', { type: 'button', class: 'row__name', 'aria-pressed': 'false', title: `Explain ${format} below` }, format);
  nameButton?.addEventListener('click', () => onSelect(currentFormat));
  const layout = h('span', { class: 'row__layout' });
  const badge = h('span', { class: 'row__badge', hidden: true }, 'edited');
  const bitsGroup = h('div', { class: 'bits', role: 'group' });
  const hex = h('dd', { class: 'mono' });
  const klass = h('dd', null);
  const classChip = h('span', { class: 'class-chip' });
  klass.append(classChip);
  const stored = h('dd', { class: 'mono stored' });
  const errorAbs = h('span', { class: 'mono' });
  const errorRel = h('span', { class: 'error__rel' });
  const error = h('dd', { class: 'error' }, errorAbs, ' ', errorRel);
  const statusChip = h('span', { class: 'status-chip' });
  const status = h('dd', null, statusChip);
  const rowError = h('p', { class: 'row__error', role: 'alert', hidden: true });

  const meta = h(
    'dl',
    { class: 'row__meta' },
    h('div', { class: 'meta meta--hex' }, h('dt', null, 'hex'), hex),
    h('div', { class: 'meta meta--class' }, h('dt', null, 'class'), klass),
    h('div', { class: 'meta meta--stored' }, h('dt', null, 'stored value'), stored),
    h('div', { class: 'meta meta--error' }, h('dt', null, 'error'), error),
    h('div', { class: 'meta meta--status' }, h('dt', null, 'status'), status),
  );

  const el = h(
    'section',
    { class: 'row' },
    h('div', { class: 'row__head' }, nameButton ?? nameControl, layout, badge),
    h('div', { class: 'row__body' }, bitsGroup, meta, rowError),
  );
  el.addEventListener('focusin', () => onSelect(currentFormat));

  bitsGroup.addEventListener('keydown', (event) => {
    const moves = { ArrowLeft: 1, ArrowRight: -1, Home: Infinity, End: -Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const step = moves[event.key];
    const last = currentInfo.total_bits - 1;
    const next = Number.isFinite(step) ? Math.min(last, Math.max(0, activeIndex + step)) : step > 0 ? last : 0;
    focusBit(next);
  });

  function focusBit(index) {
    setActive(index);
    buttons[index].focus();
  }

  function setActive(index) {
    buttons[activeIndex]?.setAttribute('tabindex', '-1');
    activeIndex = index;
    buttons[activeIndex].setAttribute('tabindex', '0');
  }

  /** Builds the bit buttons for the current format, grouped by field. */
  function buildBits() {
    const total = currentInfo.total_bits;
    buttons = new Array(total);
    const groups = [];
    let group = null;
    for (let index = total - 1; index >= 0; index -= 1) {
      const field = fieldOfBit(currentInfo, index);
      if (!group || group.dataset.field !== field) {
        group = h('span', { class: `field field--${field}`, dataset: { field } });
        groups.push(group);
      }
      const button = h('button', {
        type: 'button',
        class: 'bit',
        tabindex: '-1',
        'data-testid': `bit-${currentFormat}-${index}`,
        dataset: { field, index: String(index) },
        onclick: () => onFlip(currentFormat, index),
        onfocus: () => setActive(index),
      });
      buttons[index] = button;
      group.append(button);
    }
    bitsGroup.replaceChildren(...groups);
    activeIndex = total - 1;
    buttons[activeIndex].setAttribute('tabindex', '0');
  }

  function applyFormat() {
    el.dataset.format = currentFormat;
    el.setAttribute('data-testid', `row-${currentFormat}`);
    el.setAttribute('aria-label', `${currentFormat}: ${layoutSentence(currentInfo)}`);
    bitsGroup.setAttribute('data-testid', `bits-${currentFormat}`);
    bitsGroup.setAttribute('aria-label', `${currentFormat} bits, most significant first. Activate a bit to flip it.`);
    hex.setAttribute('data-testid', `hex-${currentFormat}`);
    klass.setAttribute('data-testid', `class-${currentFormat}`);
    stored.setAttribute('data-testid', `stored-${currentFormat}`);
    error.setAttribute('data-testid', `error-${currentFormat}`);
    status.setAttribute('data-testid', `status-${currentFormat}`);
    rowError.setAttribute('data-testid', `row-error-${currentFormat}`);
    setText(layout, layoutLabel(currentInfo));
    buildBits();
  }
  applyFormat();

  return {
    el,
    get format() {
      return currentFormat;
    },
    /** Switches the row to another format (the integer row's selector). */
    setFormat(nextFormat, nextInfo) {
      currentFormat = nextFormat;
      currentInfo = nextInfo;
      applyFormat();
    },
    /** Marks the row whose format the walkthrough explains. */
    setSelected(selected) {
      el.classList.toggle('is-selected', selected);
      nameButton?.setAttribute('aria-pressed', String(selected));
    },
    /**
     * Shows a result, or an error for this format only (e.g. NaN has no int8 value).
     * @param {{ result?: FloatBits, error?: string, pinned?: boolean }} view
     */
    update({ result, error: message, pinned = false }) {
      el.classList.toggle('is-pinned', pinned);
      badge.hidden = !pinned;
      if (!result) {
        el.classList.add('is-unavailable');
        rowError.hidden = false;
        setText(rowError, message ?? '');
        return;
      }
      el.classList.remove('is-unavailable');
      rowError.hidden = true;
      setText(rowError, '');

      const bits = result.bits;
      const total = currentInfo.total_bits;
      for (let index = 0; index < total; index += 1) {
        const button = buttons[index];
        const bit = bits[total - 1 - index];
        const field = FIELD_LABELS[button.dataset.field];
        setText(button, bit);
        button.classList.toggle('is-one', bit === '1');
        button.setAttribute('aria-label', `${currentFormat} bit ${index} (${field}): ${bit}`);
        button.title = `bit ${index} (${field}) = ${bit}. Click to flip.`;
      }
      setText(hex, result.hex);
      setText(classChip, result.class);
      classChip.dataset.class = result.class;

      const exact = displayExact(result.stored_value);
      setText(stored, exact.text);
      stored.title = exact.truncated ? exact.full : '';

      const err = result.error;
      if (err === 0 || Number.isNaN(err)) {
        // NaN: a NaN result has no distance to the input
        setText(errorAbs, err === 0 ? '0' : '—');
        setText(errorRel, '');
      } else {
        setText(errorAbs, signedCompact(err));
        const rel = Math.abs(err / result.input);
        setText(errorRel, Number.isFinite(rel) ? `rel ${compact(rel)}` : '');
      }
      error.title = err === 0 || Number.isNaN(err) ? '' : `stored − input = ${exactOrPlain(err)}`;

      const s = statusOf(result, currentInfo, pinned);
      setText(statusChip, s.text);
      statusChip.dataset.tone = s.tone;
      statusChip.title = s.hint;
    },
  };
}

function exactOrPlain(x) {
  return Number.isFinite(x) ? displayExact(x).full : compact(x);
}
