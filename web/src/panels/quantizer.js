// The Quantizer panel: a data set (generated or pasted), the symmetric and
// asymmetric grids over its histogram, the float-to-integer mapping with the
// formulas' numbers plugged in, the observer race and short lessons.
//
// The analysis (about 100–200 ms at 100k values) runs in a Web Worker that
// loads the same quantlab package; this thread draws and quantizes the one
// example value with its own instance.
import { h, setText } from '../shared/dom.js';
import { createErrorMessage, messageOf } from '../shared/error-message.js';
import { createLatestClient } from '../shared/worker-client.js';
import { SCHEMES, analyze } from './quantizer/analysis.js';
import { createControls } from './quantizer/controls.js';
import { dataKey, materialize } from './quantizer/data-spec.js';
import { countText, dbText, float32Display, float32Text, gridName } from './quantizer/format.js';
import { renderFormulas } from './quantizer/formulas.js';
import { createLessons } from './quantizer/lessons.js';
import { createMapping } from './quantizer/mapping.js';
import { createRace } from './quantizer/race.js';
import { SCHEME_TEXT, createSchemeView } from './quantizer/scheme-view.js';

/** Pause after the last change before recomputing (the worker coalesces the rest). */
const DEBOUNCE_MS = 40;
/** SQNR gained per extra bit of a uniform grid: 20·log10(2). */
const DB_PER_BIT = 6.02;

/** @returns {import('./quantizer/controls.js').QuantizerState} */
function initialState() {
  return {
    source: 'generate',
    distribution: 'normal',
    seed: 1,
    size: 10_000,
    pasteText: '',
    pasted: null,
    pasteVersion: 0,
    settings: {
      bits: 4,
      codes: 'default',
      narrowRange: false,
      observer: 'minmax',
      percentile: 99.9,
      rounding: 'half_even',
      raceScheme: 'symmetric',
    },
    logScale: false,
  };
}

/** One sentence on who wins and why. */
function verdictText(schemes) {
  const sym = schemes.symmetric.stats;
  const asym = schemes.asymmetric.stats;
  const diff = asym.sqnrDb - sym.sqnrDb;
  if (!Number.isFinite(diff) || Math.abs(diff) < 0.05) {
    return 'A tie: on this data both grids give the same error.';
  }
  const [winner, loser] = diff > 0 ? ['asymmetric', 'symmetric'] : ['symmetric', 'asymmetric'];
  const lost = schemes[loser].stats;
  const won = schemes[winner].stats;
  const bits = Math.abs(diff) / DB_PER_BIT;
  const head = `${SCHEME_TEXT[winner].title.split(' ')[0]} wins by ${Math.abs(diff).toFixed(2)} dB (≈ ${bits.toFixed(bits < 0.1 ? 2 : 1)} bit${bits >= 0.95 && bits < 1.05 ? '' : 's'})`;
  if (lost.codesUsed <= won.codesUsed * 0.6) {
    return `${head}: ${loser} leaves ${countText(lost.codes - lost.codesUsed)} of its ${countText(lost.codes)} codes unused.`;
  }
  return `${head}: its grid fits this data’s range more tightly.`;
}

/**
 * Mounts the panel.
 * @param {HTMLElement} container
 * @param {import('quantlab').Quantlab} ql
 * @returns {() => void} unmount
 */
export function mountQuantizer(container, ql) {
  const state = initialState();
  /** The example value typed by the user; null: the data's default. */
  let exampleText = /** @type {string | null} */ (null);
  /** @type {import('./quantizer/analysis.js').Analysis | null} */
  let last = null;
  let lastDataKey = '';

  const controls = createControls(state, { onChange: schedule });
  const summary = h('p', { class: 'qz-summary mono', 'data-testid': 'data-summary' });
  const status = h('p', { class: 'qz-status', 'data-testid': 'quantizer-status' });
  const strip = h('div', { class: 'qz-strip' }, summary, status);
  const showStatus = (text, busy = false) => {
    setText(status, text);
    status.classList.toggle('is-busy', busy);
  };

  // --- comparison ------------------------------------------------------------
  const views = Object.fromEntries(SCHEMES.map((s) => [s, createSchemeView(s)]));
  const logToggle = h('input', { type: 'checkbox', 'data-testid': 'quantizer-log' });
  logToggle.addEventListener('change', () => {
    state.logScale = logToggle.checked;
    if (last) renderCharts(last);
  });
  const verdict = h('p', { class: 'qz-verdict', 'data-testid': 'verdict', 'aria-live': 'polite' });
  const legend = h(
    'ul',
    { class: 'legend qz-legend', 'aria-label': 'Chart key' },
    h('li', null, h('span', { class: 'legend__swatch qz-key--bars', 'aria-hidden': 'true' }), 'data'),
    h('li', null, h('span', { class: 'qz-key qz-key--levels', 'aria-hidden': 'true' }), 'representable levels'),
    h('li', null, h('span', { class: 'qz-key qz-key--zero', 'aria-hidden': 'true' }), 'real 0 (code z)'),
    h('li', null, h('span', { class: 'qz-key qz-key--range', 'aria-hidden': 'true' }), 'observer range'),
    h('li', null, h('span', { class: 'legend__swatch qz-key--clip', 'aria-hidden': 'true' }), 'clipped'),
  );
  const comparison = h(
    'section',
    { class: 'card qz-compare', 'aria-labelledby': 'qz-compare-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'qz-compare-title' }, 'Symmetric and asymmetric, same data'),
        h('p', { class: 'card__lede' }, 'The ticks above each histogram are the values the grid can represent; anything in the shaded part clamps to the end codes.'),
      ),
      h('label', { class: 'toggle qz-toggle qz-log' }, logToggle, h('span', null, 'Log counts ', h('span', { class: 'muted' }, '(shows rare values)'))),
    ),
    legend,
    h('div', { class: 'qz-schemes' }, SCHEMES.map((s) => views[s].el)),
    verdict,
  );

  // --- mapping and formulas ---------------------------------------------------
  const exampleInput = h('input', {
    id: 'qz-example',
    type: 'text',
    class: 'qz-input qz-example__input mono',
    inputmode: 'decimal',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'qz-example-hint',
    'data-testid': 'quantizer-example',
  });
  const exampleReset = h('button', { type: 'button', class: 'qz-link-button', 'data-testid': 'quantizer-example-reset' }, 'use a value from the data');
  const exampleError = createErrorMessage({ testid: 'quantizer-example-error', className: 'qz-alert' });
  const mappings = Object.fromEntries(SCHEMES.map((s) => [s, createMapping(s)]));
  const formulaBoxes = Object.fromEntries(SCHEMES.map((s) => [s, h('div', { class: 'qz-formulas__list' })]));
  const formulas = h(
    'section',
    { class: 'card qz-formulas', 'aria-labelledby': 'qz-formulas-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'qz-formulas-title' }, 'From floats to integer codes'),
        h(
          'p',
          { class: 'card__lede' },
          'Each grid maps a float range onto the codes q_min … q_max, with real 0 landing exactly on the zero point z. The equations are numbered as in ',
          h('code', null, 'core/docs/quantization.md'),
          '; the results are the core’s.',
        ),
      ),
    ),
    h(
      'div',
      { class: 'qz-example' },
      h('label', { class: 'qz-field__label', for: 'qz-example' }, 'Example value x'),
      h('div', { class: 'qz-example__row' }, exampleInput, exampleReset),
      h('p', { class: 'qz-hint', id: 'qz-example-hint' }, 'Any number; values outside a grid show clamping.'),
      exampleError.el,
    ),
    h(
      'div',
      { class: 'qz-schemes' },
      SCHEMES.map((s) =>
        h(
          'div',
          { class: `qz-formulas__scheme qz-scheme--${s}`, 'data-testid': `formulas-${s}` },
          h('h3', { class: 'qz-scheme__title' }, h('span', { class: 'qz-swatch', 'aria-hidden': 'true' }), SCHEME_TEXT[s].title),
          mappings[s].el,
          formulaBoxes[s],
        ),
      ),
    ),
  );
  exampleInput.addEventListener('input', () => {
    exampleText = exampleInput.value;
    renderExample();
  });
  exampleReset.addEventListener('click', () => {
    exampleText = null;
    renderExample();
    exampleInput.focus();
  });

  // --- race ------------------------------------------------------------------
  const race = createRace();
  const raceInputs = SCHEMES.map((s) =>
    h('input', { type: 'radio', name: 'qz-race-scheme', value: s, checked: s === state.settings.raceScheme, 'data-testid': `race-scheme-${s}` }),
  );
  for (const input of raceInputs) {
    input.addEventListener('change', () => {
      if (!input.checked) return;
      state.settings.raceScheme = /** @type {any} */ (input.value);
      schedule();
    });
  }
  const raceCard = h(
    'section',
    { class: 'card qz-race', 'aria-labelledby': 'qz-race-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'qz-race-title' }, 'Observer race'),
        h(
          'p',
          { class: 'card__lede' },
          'Every observer sees the data in batches, as in calibration, and proposes a clipping range. The brackets show the ranges; the table, the SQNR each range gives on the ',
          race.schemeNote,
          ' grid. The shading is what the best one clips.',
        ),
      ),
      h(
        'div',
        { class: 'qz-segmented qz-segmented--small', role: 'radiogroup', 'aria-label': 'Scheme of the race' },
        raceInputs.map((input) => h('label', { class: 'qz-segmented__option' }, input, h('span', null, SCHEME_TEXT[input.value].title.split(' ')[0]))),
      ),
    ),
    race.chartBox,
    race.table,
  );

  // --- layout ----------------------------------------------------------------
  const loadError = createErrorMessage({ testid: 'quantizer-error', className: 'qz-alert' });
  const main = h('div', { class: 'qz-main' }, strip, loadError.el, comparison, formulas, raceCard, createLessons(tryLesson));
  const panel = h(
    'div',
    { class: 'panel panel--quantizer is-loading', 'data-testid': 'quantizer-panel' },
    h(
      'header',
      { class: 'panel__intro' },
      h('h1', { class: 'panel__title' }, 'Quantizer'),
      h(
        'p',
        { class: 'panel__lede' },
        'Pick some data and a bit width, and see how a quantizer chooses its scale and zero point, which values it can represent, and what that costs in error.',
      ),
    ),
    h('div', { class: 'qz-layout' }, controls.el, main),
  );
  container.replaceChildren(panel);
  for (const s of SCHEMES) views[s].mount();
  race.mount();

  // --- computing -------------------------------------------------------------
  const client = createLatestClient(
    () => new Worker(new URL('./quantizer/analysis.worker.js', import.meta.url), { type: 'module', name: 'quantizer-analysis' }),
    { fallback: (message) => analyze(ql, materialize(message.data), message.settings) },
  );

  let timer = 0;
  function schedule() {
    clearTimeout(timer);
    timer = window.setTimeout(update, DEBOUNCE_MS);
  }

  function dataSpec() {
    if (state.source === 'paste') {
      return state.pasted ? { kind: 'values', values: state.pasted, version: state.pasteVersion } : null;
    }
    return { kind: 'generate', distribution: state.distribution, seed: state.seed, size: state.size };
  }

  async function update() {
    const spec = dataSpec();
    if (!spec || controls.dataProblem) {
      panel.classList.add('is-stale');
      return;
    }
    const key = dataKey(spec);
    const settings = { ...state.settings };
    const requested = performance.now();
    showStatus('Computing…', true);
    panel.classList.add('is-busy');
    let reply;
    try {
      reply = await client.request({ data: spec, settings });
    } catch (error) {
      panel.classList.remove('is-busy');
      panel.classList.add('is-stale');
      showStatus('');
      if (!last) loadError.show(error);
      else controls.showOptionsError(messageOf(error));
      return;
    }
    if (reply.status !== 'done') return;
    const rendering = performance.now();
    controls.clearOptionsError();
    loadError.clear();
    if (key !== lastDataKey) {
      lastDataKey = key;
      exampleText = null;
    }
    render(reply.value, settings);
    const done = performance.now();
    panel.classList.remove('is-loading', 'is-busy', 'is-stale');
    const where = client.mode === 'worker' ? 'in a Web Worker' : 'on the main thread';
    showStatus(`Analysed in ${Math.round(reply.value.elapsedMs)} ms ${where}, drawn in ${Math.max(1, Math.round(done - rendering))} ms`);
    status.dataset.computeMs = String(reply.value.elapsedMs);
    status.dataset.roundTripMs = String(rendering - requested);
    status.dataset.renderMs = String(done - rendering);
    status.dataset.mode = client.mode;
  }

  // --- rendering -------------------------------------------------------------
  /** @type {import('./quantizer/analysis.js').QuantizerSettings} */
  let shownSettings = state.settings;

  function render(result, settings) {
    last = result;
    shownSettings = settings;
    const n = (x) => String(Number(x.toPrecision(4))).replace(/^-/, '−');
    const sm = result.summary;
    setText(summary, `${countText(sm.n)} values · min ${n(sm.min)} · max ${n(sm.max)} · mean ${n(sm.mean)} · σ ${n(sm.std)}${sm.zeros ? ` · ${countText(sm.zeros)} exact zeros` : ''}`);
    renderCharts(result);
    setText(verdict, verdictText(result.schemes));
    renderExample();
  }

  function renderCharts(result) {
    const diff = result.schemes.asymmetric.stats.sqnrDb - result.schemes.symmetric.stats.sqnrDb;
    for (const s of SCHEMES) {
      const wins = Math.abs(diff) >= 0.05 && (s === 'asymmetric' ? diff > 0 : diff < 0);
      views[s].update({ result: result.schemes[s], histogram: result.histogram, logScale: state.logScale, wins });
    }
    race.update(result, { logScale: state.logScale, percentile: shownSettings.percentile });
  }

  /** Quantizes the example value with each scheme's parameters (on this thread: one value). */
  function renderExample() {
    if (!last) return;
    let x;
    if (exampleText === null) {
      x = last.example;
      exampleInput.value = float32Text(x);
      exampleInput.setAttribute('aria-invalid', 'false');
      exampleError.clear();
    } else {
      const text = exampleText.trim();
      const value = Number(text);
      if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(Math.fround(value))) {
        exampleInput.setAttribute('aria-invalid', 'true');
        exampleError.show(text === '' ? 'Enter a value to follow through the formulas.' : `'${text}' is not a finite float32 number.`);
        return;
      }
      exampleInput.setAttribute('aria-invalid', 'false');
      exampleError.clear();
      x = Math.fround(value);
    }
    const dataStats = last.summary;
    for (const s of SCHEMES) {
      const r = last.schemes[s];
      let example = null;
      let dataCodes = { qmin: r.params.qmin, qmax: r.params.qmax };
      try {
        const q = ql.quantize([x, dataStats.min, dataStats.max], r.params).data;
        const xhat = ql.dequantize([q[0]], r.params).data[0];
        example = { x, q: q[0], xhat };
        dataCodes = { qmin: q[1], qmax: q[2] };
      } catch (error) {
        exampleError.show(error);
      }
      mappings[s].update({
        params: r.params,
        grid: r.grid,
        axis: { lo: last.histogram.lo, hi: last.histogram.hi },
        data: { min: dataStats.min, max: dataStats.max },
        dataCodes,
        example,
      });
      formulaBoxes[s].replaceChildren(
        renderFormulas({ scheme: s, params: r.params, range: r.range, observer: shownSettings.observer, example }),
      );
      formulaBoxes[s].setAttribute('aria-label', `${s} ${gridName(r.params)}: scale ${float32Display(r.params.scale[0])}, SQNR ${dbText(r.stats.sqnrDb)}`);
    }
  }

  function tryLesson(setup) {
    state.source = 'generate';
    state.distribution = setup.distribution;
    state.settings.bits = setup.bits;
    state.settings.observer = /** @type {any} */ (setup.observer);
    state.settings.codes = /** @type {any} */ (setup.codes);
    state.settings.narrowRange = setup.narrowRange;
    state.logScale = setup.logScale;
    logToggle.checked = setup.logScale;
    controls.sync();
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    comparison.scrollIntoView({ behavior: reduceMotion ? 'auto' : 'smooth', block: 'start' });
    schedule();
  }

  update();

  return () => {
    clearTimeout(timer);
    client.terminate();
    for (const s of SCHEMES) views[s].destroy();
    race.destroy();
    container.replaceChildren();
  };
}
