// The Quantizer panel's controls: where the data comes from (a generated
// distribution or pasted numbers) and the quantizer's options. They edit one
// state object and report each change; `sync()` shows a state set from
// elsewhere (a lesson's "try it" button).
import { h, setText } from '../../shared/dom.js';
import { createErrorMessage } from '../../shared/error-message.js';
import { DISTRIBUTIONS, MAX_VALUES, parseNumbers } from '../../shared/datagen.js';
import { OBSERVERS } from './analysis.js';
import { OBSERVER_TEXT } from './race.js';
import { countText } from './format.js';

export const SIZES = [1_000, 10_000, 100_000, MAX_VALUES];
const MAX_SEED = 2 ** 32 - 1;

export const ROUNDINGS = [
  { id: 'half_even', label: 'Half to even (default)' },
  { id: 'half_away', label: 'Half away from zero' },
  { id: 'stochastic', label: 'Stochastic' },
];
export const CODES = [
  { id: 'default', label: 'Default: int sym, uint asym' },
  { id: 'signed', label: 'Signed (int)' },
  { id: 'unsigned', label: 'Unsigned (uint)' },
];

/**
 * @typedef {object} QuantizerState
 * @property {'generate' | 'paste'} source
 * @property {string} distribution
 * @property {number} seed
 * @property {number} size
 * @property {string} pasteText
 * @property {Float32Array | null} pasted the last valid paste
 * @property {number} pasteVersion increments with each valid paste
 * @property {import('./analysis.js').QuantizerSettings} settings
 * @property {boolean} logScale
 */

let uid = 0;

/** A labelled control: label above, control below, optional hint. */
function field(label, control, hint) {
  const id = control.id || `qz-field-${(uid += 1)}`;
  control.id = id;
  const hintEl = hint ? h('p', { class: 'qz-hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return { el: h('div', { class: 'qz-field' }, h('label', { class: 'qz-field__label', for: id }, label), control, hintEl), hint: hintEl };
}

/**
 * @param {QuantizerState} state
 * @param {{ onChange: (what: 'data' | 'settings') => void }} callbacks
 */
export function createControls(state, { onChange }) {
  // --- data ------------------------------------------------------------------
  const sourceInputs = ['generate', 'paste'].map((value) =>
    h('input', { type: 'radio', name: 'qz-source', value, 'data-testid': `quantizer-source-${value}` }),
  );
  const source = h(
    'div',
    { class: 'qz-segmented', role: 'radiogroup', 'aria-label': 'Data source' },
    sourceInputs.map((input) => h('label', { class: 'qz-segmented__option' }, input, h('span', null, input.value === 'generate' ? 'Generate' : 'Paste'))),
  );

  const distribution = h(
    'select',
    { class: 'select qz-select', 'data-testid': 'quantizer-distribution' },
    DISTRIBUTIONS.map((d) => h('option', { value: d.id }, d.label)),
  );
  const distributionField = field('Distribution', distribution, ' ');
  const seed = h('input', { type: 'number', class: 'qz-input mono', min: 0, max: MAX_SEED, step: 1, inputmode: 'numeric', 'data-testid': 'quantizer-seed' });
  const reseed = h('button', { type: 'button', class: 'qz-icon-button', 'data-testid': 'quantizer-reseed', 'aria-label': 'New random seed', title: 'New random seed' }, '⟳');
  const seedField = field('Seed', seed);
  seedField.el.classList.add('qz-field--seed');
  seedField.el.append(reseed);
  const size = h(
    'select',
    { class: 'select qz-select mono', 'data-testid': 'quantizer-size' },
    SIZES.map((n) => h('option', { value: String(n) }, countText(n))),
  );
  const generatePane = h(
    'div',
    { class: 'qz-pane', 'data-testid': 'quantizer-generate' },
    distributionField.el,
    h('div', { class: 'qz-pair' }, seedField.el, field('Values', size).el),
  );

  const paste = h('textarea', {
    class: 'qz-textarea mono',
    rows: 5,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: '-0.41, 0.07, 1.9, 0.33 …',
    'data-testid': 'quantizer-paste',
  });
  const pasteField = field('Numbers', paste, 'Separated by spaces, commas or new lines; brackets are ignored (a NumPy or Python list works).');
  const pastePane = h('div', { class: 'qz-pane', hidden: true, 'data-testid': 'quantizer-paste-pane' }, pasteField.el);

  const dataError = createErrorMessage({ testid: 'quantizer-data-error', className: 'qz-alert' });

  // --- grid ------------------------------------------------------------------
  const bits = h('input', { type: 'range', class: 'qz-range', min: 2, max: 8, step: 1, 'data-testid': 'quantizer-bits' });
  const bitsOut = h('output', { class: 'qz-bits__value', 'data-testid': 'quantizer-bits-value' });
  bits.id = 'qz-bits';
  bitsOut.setAttribute('for', 'qz-bits');
  const bitsField = h(
    'div',
    { class: 'qz-field qz-bits' },
    h('div', { class: 'qz-bits__head' }, h('label', { class: 'qz-field__label', for: 'qz-bits' }, 'Bit width'), bitsOut),
    bits,
    h('div', { class: 'qz-bits__ticks', 'aria-hidden': 'true' }, [2, 3, 4, 5, 6, 7, 8].map((b) => h('span', null, String(b)))),
  );
  const codes = h('select', { class: 'select qz-select', 'data-testid': 'quantizer-signed' }, CODES.map((c) => h('option', { value: c.id }, c.label)));
  const narrow = h('input', { type: 'checkbox', 'data-testid': 'quantizer-narrow' });
  const narrowToggle = h(
    'label',
    { class: 'toggle qz-toggle' },
    narrow,
    h('span', null, 'Narrow range ', h('span', { class: 'muted' }, '(int8: −127…127)')),
  );
  const rounding = h('select', { class: 'select qz-select', 'data-testid': 'quantizer-rounding' }, ROUNDINGS.map((r) => h('option', { value: r.id }, r.label)));

  // --- range -----------------------------------------------------------------
  const observer = h(
    'select',
    { class: 'select qz-select', 'data-testid': 'quantizer-observer' },
    OBSERVERS.map((o) => h('option', { value: o }, OBSERVER_TEXT[o].name)),
  );
  const observerField = field('Observer', observer, ' ');
  const percentile = h('input', {
    type: 'number',
    class: 'qz-input mono',
    min: 50,
    max: 100,
    step: 0.01,
    inputmode: 'decimal',
    'data-testid': 'quantizer-percentile',
  });
  const percentileField = field('Percentile p', percentile, 'For the percentile observer, here and in the race.');
  const optionsError = createErrorMessage({ testid: 'quantizer-options-error', className: 'qz-alert' });

  const el = h(
    'aside',
    { class: 'card qz-controls', 'aria-label': 'Data and quantizer settings' },
    h(
      'fieldset',
      { class: 'qz-group' },
      h('legend', { class: 'qz-group__title' }, 'Data'),
      source,
      generatePane,
      pastePane,
      dataError.el,
    ),
    h(
      'fieldset',
      { class: 'qz-group' },
      h('legend', { class: 'qz-group__title' }, 'Grid'),
      bitsField,
      field('Codes', codes).el,
      narrowToggle,
      field('Rounding', rounding).el,
    ),
    h(
      'fieldset',
      { class: 'qz-group' },
      h('legend', { class: 'qz-group__title' }, 'Range'),
      observerField.el,
      percentileField.el,
      optionsError.el,
    ),
  );

  // --- events ----------------------------------------------------------------
  for (const input of sourceInputs) {
    input.addEventListener('change', () => {
      if (!input.checked) return;
      state.source = /** @type {'generate' | 'paste'} */ (input.value);
      showSource();
      if (state.source === 'paste') readPaste();
      else dataError.clear();
      onChange('data');
    });
  }
  distribution.addEventListener('change', () => {
    state.distribution = distribution.value;
    showDescriptions();
    onChange('data');
  });
  seed.addEventListener('input', () => {
    const value = Number(seed.value);
    const ok = seed.value.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED;
    seed.setAttribute('aria-invalid', String(!ok));
    if (!ok) {
      dataError.show(`The seed is a whole number from 0 to ${MAX_SEED}.`);
      onChange('data');
      return;
    }
    dataError.clear();
    state.seed = value;
    onChange('data');
  });
  reseed.addEventListener('click', () => {
    state.seed = Math.floor(Math.random() * 100000);
    seed.value = String(state.seed);
    seed.setAttribute('aria-invalid', 'false');
    dataError.clear();
    onChange('data');
  });
  size.addEventListener('change', () => {
    state.size = Number(size.value);
    onChange('data');
  });
  paste.addEventListener('input', () => {
    state.pasteText = paste.value;
    readPaste();
    onChange('data'); // a bad paste marks the shown result as stale
  });

  bits.addEventListener('input', () => {
    state.settings.bits = Number(bits.value);
    showBits();
    onChange('settings');
  });
  codes.addEventListener('change', () => {
    state.settings.codes = /** @type {any} */ (codes.value);
    onChange('settings');
  });
  narrow.addEventListener('change', () => {
    state.settings.narrowRange = narrow.checked;
    onChange('settings');
  });
  rounding.addEventListener('change', () => {
    state.settings.rounding = /** @type {any} */ (rounding.value);
    onChange('settings');
  });
  observer.addEventListener('change', () => {
    state.settings.observer = /** @type {any} */ (observer.value);
    showDescriptions();
    onChange('settings');
  });
  percentile.addEventListener('input', () => {
    const value = Number(percentile.value);
    if (percentile.value.trim() === '' || !Number.isFinite(value)) {
      percentile.setAttribute('aria-invalid', 'true');
      optionsError.show('Enter a percentile between 50 and 100, e.g. 99.9.');
      return;
    }
    percentile.setAttribute('aria-invalid', 'false');
    optionsError.clear();
    state.settings.percentile = value;
    onChange('settings');
  });

  /** Parses the pasted text into state; false (with the error shown) when it is bad. */
  function readPaste() {
    if (state.pasteText.trim() === '') {
      paste.setAttribute('aria-invalid', 'false');
      dataError.show('Paste some numbers, or switch back to a generated distribution.');
      return false;
    }
    try {
      state.pasted = parseNumbers(state.pasteText);
      state.pasteVersion += 1;
    } catch (error) {
      paste.setAttribute('aria-invalid', 'true');
      dataError.show(error);
      return false;
    }
    paste.setAttribute('aria-invalid', 'false');
    dataError.clear();
    return true;
  }

  function showSource() {
    for (const input of sourceInputs) input.checked = input.value === state.source;
    generatePane.hidden = state.source !== 'generate';
    pastePane.hidden = state.source !== 'paste';
  }

  function showBits() {
    const b = state.settings.bits;
    setText(bitsOut, `${b} bits · ${2 ** b} codes`);
    bits.setAttribute('aria-valuetext', `${b} bits, ${2 ** b} codes`);
  }

  function showDescriptions() {
    setText(distributionField.hint, DISTRIBUTIONS.find((d) => d.id === state.distribution)?.description ?? '');
    setText(observerField.hint, `${OBSERVER_TEXT[state.settings.observer].about[0].toUpperCase()}${OBSERVER_TEXT[state.settings.observer].about.slice(1)}.`);
  }

  /** Shows `state` in every control. */
  function sync() {
    showSource();
    distribution.value = state.distribution;
    seed.value = String(state.seed);
    size.value = String(state.size);
    paste.value = state.pasteText;
    bits.value = String(state.settings.bits);
    codes.value = state.settings.codes;
    narrow.checked = state.settings.narrowRange;
    rounding.value = state.settings.rounding;
    observer.value = state.settings.observer;
    percentile.value = String(state.settings.percentile);
    for (const input of [seed, paste, percentile]) input.setAttribute('aria-invalid', 'false');
    showBits();
    showDescriptions();
  }
  sync();

  return {
    el,
    sync,
    /** A paste was rejected, or data could not be built: blocks updates until fixed. */
    get dataProblem() {
      return !dataError.el.hidden;
    },
    /** An options error from the core (e.g. a percentile out of range). */
    showOptionsError(message) {
      optionsError.show(message);
    },
    clearOptionsError() {
      if (percentile.getAttribute('aria-invalid') !== 'true') optionsError.clear();
    },
  };
}
