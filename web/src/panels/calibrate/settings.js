// The calibration settings: how many calibration images, static or dynamic,
// the activation observer (and its percentile), the activation scheme, the
// weights' granularity, clipping and bits, and whether to run the sensitivity analysis.
// A form: Enter in a field or the Calibrate button submits it; radios move
// with the arrow keys. read() turns it into ql.quantizeModel options.
import { h, setText } from '../../shared/dom.js';

/** Calibration images offered (the bundled set holds 200). */
export const SAMPLE_CHOICES = [16, 50, 100, 200];
/** Images per calibration batch (quantizeModel's batchSize). */
export const CALIBRATION_BATCH = 32;

/** The observers, in the order the Quantizer panel races them, with what each does. */
export const OBSERVERS = [
  { id: 'minmax', label: 'Min-max', about: 'The full range seen: nothing is clipped, and a single outlier stretches the grid for every value.' },
  { id: 'moving_average', label: 'Moving average', about: 'Min and max averaged over the batches (momentum 0.01), as PyTorch’s moving-average observer: one extreme batch moves the range less.' },
  { id: 'percentile', label: 'Percentile', about: 'Clips the tails: the range between the (100 − p)th and the p-th percentile of the values seen.' },
  { id: 'mse', label: 'MSE', about: 'The range with the least expected squared error, rounding and clipping counted, found on the histogram.' },
  { id: 'entropy', label: 'Entropy (KL)', about: 'TensorRT’s calibration: the range whose quantized histogram loses the least information (KL divergence).' },
];
export const DEFAULT_PERCENTILE = 99.99;

/**
 * The settings as the panel uses them.
 * @typedef {object} Settings
 * @property {number} samples
 * @property {'static' | 'dynamic'} mode
 * @property {string} observer
 * @property {number} percentile
 * @property {'asymmetric' | 'symmetric'} scheme activations
 * @property {'channel' | 'tensor'} granularity weights
 * @property {8 | 7 | 4} bits weights (7: onnxruntime's reduce_range)
 * @property {'minmax' | 'mse'} weightObserver how each weight channel's range is chosen
 * @property {boolean} sensitivity
 */

let groupCount = 0;

/**
 * A row of radio buttons drawn as a segmented control (the Quantizer panel's look).
 * @param {{ name: string, label: string, options: Array<{ value: string, label: string }>, value: string, testid: string }} spec
 */
function segmented({ name, label, options, value, testid }) {
  const inputs = options.map((o) =>
    h('input', { type: 'radio', name, value: o.value, checked: o.value === value, 'data-testid': `${testid}-${o.value}` }),
  );
  const el = h(
    'div',
    { class: 'qz-segmented', role: 'radiogroup', 'aria-label': label, 'data-testid': testid },
    inputs.map((input, i) => h('label', { class: 'qz-segmented__option' }, input, h('span', null, options[i].label))),
  );
  return { el, inputs, get value() { return inputs.find((i) => i.checked)?.value ?? value; } };
}

/** A labelled field: a visible label (or a legend-like title for radio groups) and a hint. */
function field(label, control, hint, { forId = null, hidden = false } = {}) {
  return h(
    'div',
    { class: 'cb-field', hidden },
    forId ? h('label', { class: 'cb-field__label', for: forId }, label) : h('span', { class: 'cb-field__label', 'aria-hidden': 'true' }, label),
    control,
    hint ? h('p', { class: 'cb-hint' }, hint) : null,
  );
}

/**
 * @param {{ onRun: () => void, onCancel: () => void }} handlers
 */
export function createSettings({ onRun, onCancel }) {
  const uid = `cb${(groupCount += 1)}`;
  const samples = segmented({
    name: `${uid}-samples`,
    label: 'Calibration images',
    options: SAMPLE_CHOICES.map((n) => ({ value: String(n), label: String(n) })),
    value: '200',
    testid: 'cb-samples',
  });
  const mode = segmented({
    name: `${uid}-mode`,
    label: 'Mode',
    options: [
      { value: 'static', label: 'Static' },
      { value: 'dynamic', label: 'Dynamic' },
    ],
    value: 'static',
    testid: 'cb-mode',
  });
  const modeHint = h('p', { class: 'cb-hint', 'data-testid': 'cb-mode-hint' });

  const observer = h(
    'select',
    { class: 'select cb-select', id: `${uid}-observer`, 'data-testid': 'cb-observer' },
    OBSERVERS.map((o) => h('option', { value: o.id }, o.label)),
  );
  const observerHint = h('p', { class: 'cb-hint', 'data-testid': 'cb-observer-hint' });
  const percentile = h('input', {
    type: 'number',
    class: 'cb-input mono',
    id: `${uid}-percentile`,
    min: '50',
    max: '100',
    step: 'any',
    value: String(DEFAULT_PERCENTILE),
    inputmode: 'decimal',
    'data-testid': 'cb-percentile',
  });
  const percentileField = field('Percentile p', percentile, 'Between 50 and 100; 99.99 keeps all but 1 value in 10,000 at each end.', { forId: percentile.id, hidden: true });
  const scheme = segmented({
    name: `${uid}-scheme`,
    label: 'Activation scheme',
    options: [
      { value: 'asymmetric', label: 'Asymmetric' },
      { value: 'symmetric', label: 'Symmetric' },
    ],
    value: 'asymmetric',
    testid: 'cb-scheme',
  });
  const activationGroup = h(
    'fieldset',
    { class: 'cb-group', 'data-testid': 'cb-activations' },
    h('legend', { class: 'cb-group__title' }, 'Activations'),
    field('Observer', h('div', { class: 'cb-field__stack' }, observer, observerHint), null, { forId: observer.id }),
    percentileField,
    field('Scheme', scheme.el, 'Asymmetric puts a zero point where the data is (ReLU outputs are ≥ 0); symmetric keeps 0 at code 0.'),
  );

  const granularity = segmented({
    name: `${uid}-granularity`,
    label: 'Weight granularity',
    options: [
      { value: 'channel', label: 'Per channel' },
      { value: 'tensor', label: 'Per tensor' },
    ],
    value: 'channel',
    testid: 'cb-granularity',
  });
  const bits = segmented({
    name: `${uid}-bits`,
    label: 'Weight bits',
    options: [
      { value: '8', label: '8 bits' },
      { value: '7', label: '7 bits' },
      { value: '4', label: '4 bits' },
    ],
    value: '8',
    testid: 'cb-bits',
  });
  const weightObserver = segmented({
    name: `${uid}-weight-observer`,
    label: 'Weight clipping',
    options: [
      { value: 'minmax', label: 'Min-max' },
      { value: 'mse', label: 'MSE' },
    ],
    value: 'minmax',
    testid: 'cb-weight-observer',
  });
  const sensitivity = h('input', { type: 'checkbox', checked: true, 'data-testid': 'cb-sensitivity' });

  const runButton = h('button', { type: 'submit', class: 'button cb-run', 'data-testid': 'cb-run' }, 'Calibrate');
  const cancelButton = h('button', { type: 'button', class: 'md-button-secondary cb-cancel', 'data-testid': 'cb-cancel', hidden: true }, 'Cancel');
  cancelButton.addEventListener('click', () => onCancel());

  const form = h(
    'form',
    { class: 'cb-form', 'data-testid': 'cb-settings', novalidate: true },
    h(
      'div',
      { class: 'cb-groups' },
      h(
        'fieldset',
        { class: 'cb-group' },
        h('legend', { class: 'cb-group__title' }, 'Calibration'),
        field('Images', samples.el, 'Training images the float model runs on while the observers record every activation’s values.'),
        field('Mode', mode.el, null),
        modeHint,
      ),
      activationGroup,
      h(
        'fieldset',
        { class: 'cb-group' },
        h('legend', { class: 'cb-group__title' }, 'Weights'),
        field('Granularity', granularity.el, 'One scale per output channel, or one for the whole tensor.'),
        field('Clipping', weightObserver.el, 'Min-max: the largest weight of a channel sets its scale. MSE clips the few largest weights where that lowers the squared error overall: little change at 8 bits, a clear one at 4.'),
        field('Bits', bits.el, '7 bits is onnxruntime’s reduce_range, for its int8 kernels on x86 CPUs without VNNI (they overflow with full 8-bit weights). 4-bit codes are stored as ONNX int4, two to a byte (opset 21): half the weight bytes of 8 bits, and more error.'),
      ),
      h(
        'fieldset',
        { class: 'cb-group' },
        h('legend', { class: 'cb-group__title' }, 'Report'),
        h(
          'label',
          { class: 'toggle cb-toggle' },
          sensitivity,
          h(
            'span',
            null,
            'Sensitivity analysis',
            h('br'),
            h('span', { class: 'muted' }, 'Quantizes one layer at a time to find the ones that cost accuracy, and (static mode) the ones whose weights can go down to 4 bits. Most of the run: a second or two for the MLP, 5 to 30 s for the CNNs.'),
          ),
        ),
      ),
    ),
    h('div', { class: 'cb-actions' }, runButton, cancelButton),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!runButton.disabled) onRun();
  });

  function sync() {
    const dynamic = mode.value === 'dynamic';
    activationGroup.disabled = dynamic;
    activationGroup.classList.toggle('is-off', dynamic);
    setText(
      modeHint,
      dynamic
        ? 'Dynamic: only Gemm and MatMul weights become int8; each activation is quantized per batch while the model runs, so nothing is calibrated (the images feed the report).'
        : 'Static: every activation gets a fixed scale and zero point from calibration, so convolutions, matrix products and adds run on integer kernels.',
    );
    const chosen = OBSERVERS.find((o) => o.id === observer.value) ?? OBSERVERS[0];
    setText(observerHint, chosen.about);
    percentileField.hidden = observer.value !== 'percentile';
  }
  form.addEventListener('change', sync);
  sync();

  return {
    el: form,
    /** @returns {Settings} */
    read() {
      return {
        samples: Number(samples.value),
        mode: /** @type {any} */ (mode.value),
        observer: observer.value,
        percentile: percentile.value.trim() === '' ? NaN : Number(percentile.value),
        scheme: /** @type {any} */ (scheme.value),
        granularity: /** @type {any} */ (granularity.value),
        bits: /** @type {any} */ (Number(bits.value)),
        weightObserver: /** @type {any} */ (weightObserver.value),
        sensitivity: sensitivity.checked,
      };
    },
    /** Running: Calibrate is disabled and Cancel shows (and takes the focus if Calibrate had it). */
    setRunning(running) {
      const hadFocus = document.activeElement === runButton;
      runButton.disabled = running;
      setText(runButton, running ? 'Calibrating…' : 'Calibrate');
      cancelButton.hidden = !running;
      if (running && hadFocus) cancelButton.focus();
      if (!running && document.activeElement === document.body) runButton.focus({ preventScroll: true });
    },
    /** Calibrate can (or cannot) run, e.g. while the images load. */
    setEnabled(enabled) {
      runButton.disabled = !enabled;
    },
  };
}

/**
 * ql.quantizeModel options of the settings (calibration and onProgress are added by the session).
 * @param {Settings} s
 */
export function quantizeOptions(s) {
  const options = {
    mode: s.mode,
    samples: s.samples,
    batchSize: CALIBRATION_BATCH,
    weights: { granularity: s.granularity, bits: s.bits, observer: s.weightObserver },
  };
  if (s.mode === 'static') {
    options.activations = { scheme: s.scheme, observer: s.observer, ...(s.observer === 'percentile' ? { percentile: s.percentile } : {}) };
  }
  return options;
}

/** The settings as short chips for the report's header: ["200 images", "static", …]. */
export function settingsChips(s) {
  const observer = OBSERVERS.find((o) => o.id === s.observer)?.label ?? s.observer;
  return [
    `${s.samples} calibration images`,
    s.mode,
    ...(s.mode === 'static' ? [s.observer === 'percentile' ? `${observer} ${s.percentile}` : observer, `${s.scheme} activations`] : []),
    `int${s.bits} weights per ${s.granularity}`,
    ...(s.weightObserver === 'mse' ? ['MSE weight clipping'] : []),
  ];
}
