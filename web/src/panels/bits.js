// The Bits panel: one value seen through every number format at once, with
// bits you can flip, special values of a chosen format, the core's
// step-by-step walkthrough and a short explanation of each format.
import { h, setText } from '../shared/dom.js';
import { createErrorMessage, messageOf } from '../shared/error-message.js';
import { numberToInputText, readable } from '../shared/numbers.js';
import { FIELD_LABELS, createFormatRow } from './bits/format-row.js';
import { formatCard, formatTable } from './bits/format-notes.js';
import { createWalkthrough } from './bits/walkthrough.js';

/** The value the course walks through: 85.125 → 0 10000101 01010100100000000000000. */
const DEFAULT_VALUE = '85.125';
/** Integer formats offered in the integer row, default first. */
const INTEGER_FORMATS = ['int8', 'int4', 'int16', 'uint8', 'uint4', 'uint16', 'int2'];
/** Example inputs shown under the value box (they show the accepted syntax). */
const EXAMPLES = ['85.125', '0.1', '1e-3', '-0', '65519', 'inf', 'nan'];
/** Typing is re-rendered after this pause (the core itself takes microseconds). */
const TYPING_DEBOUNCE_MS = 60;

/**
 * Special values of a format, from its limits.
 * @param {import('quantlab').FormatInfo} info
 * @returns {Array<{ id: string, label: string, value: number, caption: string, hint?: string }>}
 */
function specialValues(info) {
  const common = [
    { id: 'third', label: '1/3', value: 1 / 3, caption: 'repeating' },
    { id: 'tenth', label: '0.1', value: 0.1, caption: 'not binary' },
  ];
  if (info.kind === 'integer') {
    return [
      { id: 'zero', label: '0', value: 0, caption: '0' },
      { id: 'max', label: 'max', value: info.max_finite, caption: readable(info.max_finite) },
      { id: 'lowest', label: 'min', value: info.lowest, caption: readable(info.lowest) },
      { id: 'minus-one', label: '−1', value: -1, caption: info.is_signed ? 'all ones' : 'clamps to 0' },
      ...common,
    ];
  }
  return [
    { id: 'zero', label: '+0', value: 0, caption: 'all zeros' },
    { id: 'neg-zero', label: '−0', value: -0, caption: 'sign only' },
    { id: 'min-subnormal', label: 'min subnormal', value: info.min_subnormal, caption: readable(info.min_subnormal) },
    { id: 'min-normal', label: 'min normal', value: info.min_normal, caption: readable(info.min_normal) },
    { id: 'one-plus-eps', label: '1 + ε', value: 1 + info.epsilon, caption: `ε = ${readable(info.epsilon)}` },
    { id: 'max', label: 'max finite', value: info.max_finite, caption: readable(info.max_finite) },
    {
      id: 'inf',
      label: '+∞',
      value: Infinity,
      caption: info.has_infinity ? 'infinity' : 'no ∞ here',
      hint: info.has_infinity ? undefined : `${info.name} has no infinity: it saturates, or becomes NaN without saturation.`,
    },
    { id: 'nan', label: 'NaN', value: NaN, caption: 'not a number' },
    ...common,
  ];
}

/**
 * Mounts the panel.
 * @param {HTMLElement} container
 * @param {import('quantlab').Quantlab} ql an initialised instance
 * @returns {() => void} unmount
 */
export function mountBits(container, ql) {
  const floatFormats = ql.floatFormats();
  const infoCache = new Map();
  const infoOf = (format) => {
    if (!infoCache.has(format)) infoCache.set(format, ql.formatInfo(format));
    return infoCache.get(format);
  };

  const state = {
    /** Text in the value box. */
    text: DEFAULT_VALUE,
    /** What the rows encode: the typed text, or a number (a flipped bit, a special value). */
    value: /** @type {string | number} */ (DEFAULT_VALUE),
    /** The row showing a pattern the user edited, until a new value is typed. */
    pinned: /** @type {{ format: string, bits: string } | null} */ (null),
    selected: floatFormats[0],
    intFormat: INTEGER_FORMATS[0],
    saturate: true,
    /** Last result (or row error) per format. */
    results: new Map(),
  };

  // --- value box -----------------------------------------------------------
  const input = h('input', {
    id: 'value-input',
    class: 'value-input',
    type: 'text',
    value: state.text,
    inputmode: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    'aria-describedby': 'value-hint value-error',
    'data-testid': 'value-input',
  });
  const inputError = createErrorMessage({ testid: 'error-message', className: 'value-error' });
  inputError.el.id = 'value-error';
  const saturate = h('input', { type: 'checkbox', checked: true, 'data-testid': 'saturate-toggle' });
  const examples = h(
    'p',
    { class: 'examples', id: 'value-hint' },
    h('span', { class: 'examples__label' }, 'Try'),
    EXAMPLES.map((text) =>
      h('button', { type: 'button', class: 'example', 'data-testid': `example-${text}`, onclick: () => typeValue(text) }, text),
    ),
  );
  const valueCard = h(
    'section',
    { class: 'card value-card', 'aria-label': 'Value' },
    h('label', { class: 'value-label', for: 'value-input' }, 'Value'),
    input,
    examples,
    inputError.el,
    h(
      'label',
      { class: 'toggle' },
      saturate,
      h('span', null, 'fp8 saturates on overflow ', h('span', { class: 'muted' }, '(as ONNX Cast, default on; off: overflow becomes ∞ or NaN)')),
    ),
  );

  let typingTimer = 0;
  input.addEventListener('input', () => {
    clearTimeout(typingTimer);
    typingTimer = window.setTimeout(() => typeValue(input.value, { fromInput: true }), TYPING_DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      clearTimeout(typingTimer);
      typeValue(input.value, { fromInput: true });
    }
  });
  saturate.addEventListener('change', () => {
    state.saturate = saturate.checked;
    render();
  });

  // --- rows ----------------------------------------------------------------
  const intSelect = h(
    'select',
    { class: 'row__select', 'data-testid': 'int-format-select', 'aria-label': 'Integer format' },
    INTEGER_FORMATS.map((f) => h('option', { value: f }, f)),
  );
  const rowOptions = { onFlip: flipBit, onSelect: select };
  const rows = [
    ...floatFormats.map((format) => createFormatRow({ format, info: infoOf(format), ...rowOptions })),
  ];
  const intRow = createFormatRow({ format: state.intFormat, info: infoOf(state.intFormat), nameControl: intSelect, ...rowOptions });
  intRow.el.classList.add('row--integer');
  rows.push(intRow);
  intSelect.addEventListener('change', () => {
    const wasSelected = state.selected === state.intFormat;
    if (state.pinned?.format === state.intFormat) state.pinned = null;
    state.intFormat = intSelect.value;
    intRow.setFormat(state.intFormat, infoOf(state.intFormat));
    if (wasSelected) state.selected = state.intFormat;
    render();
  });

  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': 'Bit colours' },
    ['sign', 'exponent', 'mantissa', 'magnitude'].map((field) =>
      h('li', null, h('span', { class: `legend__swatch field-bg--${field}`, 'aria-hidden': 'true' }), FIELD_LABELS[field]),
    ),
  );
  const rowsList = h('div', { class: 'rows' }, rows.map((r) => r.el));
  const formatsCard = h(
    'section',
    { class: 'card formats-card', 'aria-labelledby': 'formats-title' },
    h(
      'div',
      { class: 'card__header' },
      h('div', null,
        h('h2', { class: 'card__title', id: 'formats-title' }, 'One value, every format'),
        h('p', { class: 'card__lede' }, 'Each row rounds the value to its nearest pattern. Click a bit (or focus it and press Space) to flip it; the other rows follow.'),
      ),
      legend,
    ),
    rowsList,
  );

  // --- selected format: picker, special values, walkthrough ---------------
  const formatSelect = h('select', { id: 'format-select', class: 'select', 'data-testid': 'format-select' });
  formatSelect.addEventListener('change', () => select(formatSelect.value));
  const specialsList = h('div', { class: 'specials', role: 'group', 'aria-labelledby': 'specials-title' });
  const specialsTitle = h('h3', { class: 'side__title', id: 'specials-title' }, 'Jump to a value');
  const selectedCard = h('div', { class: 'side__format' });
  const side = h(
    'aside',
    { class: 'card side', 'aria-label': 'Selected format' },
    h('label', { class: 'side__label', for: 'format-select' }, 'Format to explain'),
    formatSelect,
    specialsTitle,
    specialsList,
    selectedCard,
  );
  const walkthrough = createWalkthrough();

  const referenceGrid = h('div', { class: 'reference__table' });
  const reference = h(
    'section',
    { class: 'reference', 'aria-labelledby': 'reference-title' },
    h('h2', { class: 'section-title', id: 'reference-title' }, 'The formats'),
    h('p', { class: 'section-lede' }, 'More exponent bits buy range, more mantissa bits buy precision. Every number here comes from the core.'),
    referenceGrid,
  );

  const panel = h(
    'div',
    { class: 'panel panel--bits' },
    h(
      'header',
      { class: 'panel__intro' },
      h('h1', { class: 'panel__title' }, 'Bits'),
      h(
        'p',
        { class: 'panel__lede' },
        'How a number is stored: the pattern each format picks, the value it really holds, and how far that is from what you typed.',
      ),
    ),
    valueCard,
    formatsCard,
    h('div', { class: 'explain' }, walkthrough.el, side),
    reference,
  );
  container.replaceChildren(panel);

  // --- actions -------------------------------------------------------------
  /** A value typed (or an example picked): releases any edited row. */
  function typeValue(text, { fromInput = false } = {}) {
    if (!fromInput) input.value = text;
    state.text = text;
    state.value = text;
    state.pinned = null;
    render();
  }

  /** A value set by the page (special value, flipped bit): shown in the box as text that reads back exactly. */
  function setValue(number, pinned = null) {
    clearTimeout(typingTimer);
    state.text = numberToInputText(number);
    input.value = state.text;
    state.value = number;
    state.pinned = pinned;
    render();
  }

  function flipBit(format, index) {
    const current = state.results.get(format)?.result;
    if (!current) return;
    const position = current.bits.length - 1 - index;
    const bits = current.bits.slice(0, position) + (current.bits[position] === '1' ? '0' : '1') + current.bits.slice(position + 1);
    let decoded;
    try {
      decoded = ql.decodeBits(bits, format);
    } catch (error) {
      inputError.show(error);
      return;
    }
    setValue(decoded.stored_value, { format, bits });
  }

  function select(format) {
    if (state.selected === format) return;
    state.selected = format;
    render();
  }

  // --- rendering -----------------------------------------------------------
  let specialsFor = '';
  let referenceFor = '';

  function encode(format) {
    if (state.pinned?.format === format) return ql.decodeBits(state.pinned.bits, format);
    return ql.floatBits(state.value, format, { saturate: state.saturate });
  }

  function render() {
    const formats = rows.map((r) => r.format);
    const text = typeof state.value === 'string' ? state.value.trim() : null;

    // An empty box or unreadable text leaves the last result visible, dimmed.
    let inputProblem = null;
    if (text === '') inputProblem = '';
    else if (text !== null) {
      try {
        ql.floatBits(text, floatFormats[0]);
      } catch (error) {
        inputProblem = messageOf(error);
      }
    }
    panel.classList.toggle('is-stale', inputProblem !== null);
    input.setAttribute('aria-invalid', String(Boolean(inputProblem)));
    if (inputProblem) inputError.show(inputProblem);
    else inputError.clear();

    if (inputProblem === null) {
      state.results.clear();
      for (const row of rows) {
        const format = row.format;
        let view;
        try {
          view = { result: encode(format) };
        } catch (error) {
          view = { error: messageOf(error) };
        }
        state.results.set(format, view);
        row.update({ ...view, pinned: state.pinned?.format === format });
      }
    }

    if (!formats.includes(state.selected)) state.selected = formats[0];
    for (const row of rows) row.setSelected(row.format === state.selected);
    renderPicker(formats);
    renderSpecials();
    renderReference(formats);

    const info = infoOf(state.selected);
    const view = state.results.get(state.selected) ?? {};
    walkthrough.update({
      format: state.selected,
      info,
      result: view.result,
      error: view.error,
      pinned: state.pinned?.format === state.selected,
      inputText: state.text.trim(),
    });
  }

  function renderPicker(formats) {
    const current = [...formatSelect.options].map((o) => o.value).join();
    if (current !== formats.join()) {
      formatSelect.replaceChildren(
        ...formats.map((f) => h('option', { value: f }, infoOf(f).kind === 'integer' ? `${f} (integer row)` : f)),
      );
    }
    formatSelect.value = state.selected;
  }

  function renderSpecials() {
    if (specialsFor === state.selected) return;
    specialsFor = state.selected;
    const info = infoOf(state.selected);
    setText(specialsTitle, `Jump to a value of ${info.name}`);
    specialsList.replaceChildren(
      ...specialValues(info).map((s) =>
        h(
          'button',
          {
            type: 'button',
            class: 'special',
            'data-testid': `special-${s.id}`,
            title: s.hint ?? `Set the value to ${numberToInputText(s.value)}`,
            onclick: () => setValue(s.value),
          },
          h('span', { class: 'special__label' }, s.label),
          h('span', { class: 'special__caption' }, s.caption),
        ),
      ),
    );
    selectedCard.replaceChildren(formatCard(info));
  }

  function renderReference(formats) {
    const key = formats.join() + '|' + state.selected;
    if (referenceFor === key) return;
    referenceFor = key;
    referenceGrid.replaceChildren(formatTable(formats.map(infoOf), state.selected));
  }

  render();

  return () => {
    clearTimeout(typingTimer);
    container.replaceChildren();
  };
}
