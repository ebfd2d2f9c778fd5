// The Speed panel: the package's standard kernel benchmarks (GEMM, matvec and
// conv; fp32 and int8; scalar and SIMD) timed in the browser, one case at a
// time in a Web Worker that loads the same quantlab package, so the page stays
// responsive and a progress bar can advance per case. Results show as a bar
// chart of GOPS and a table with speedups, and copy as bench/results.json
// records. `?minTimeMs=20` in the page's query shortens every case (tests).
import { h, setText } from '../shared/dom.js';
import { createErrorMessage } from '../shared/error-message.js';
import { createLatestClient } from '../shared/worker-client.js';
import { VARIANTS, caseTitle, planCases, resultKey } from './speed/cases.js';
import { VARIANT_COLOURS, createSpeedChart } from './speed/chart.js';
import { detectEnvironment, durationText } from './speed/env.js';

/** Measuring time per case of each mode. */
const MODES = [
  { id: 'quick', label: 'Quick', minTimeMs: 100, about: '100 ms per case, a few seconds in all' },
  { id: 'thorough', label: 'Thorough', minTimeMs: 500, about: '500 ms per case, steadier numbers' },
];

/** A minTimeMs forced through the page's query (?minTimeMs=20), or null. */
function forcedMinTime() {
  const value = Number(new URLSearchParams(location.search).get('minTimeMs'));
  return Number.isFinite(value) && value > 0 ? Math.min(value, 5000) : null;
}

const gopsText = (g) => (g >= 100 ? g.toFixed(0) : g >= 10 ? g.toFixed(1) : g.toFixed(2));
const msText = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toPrecision(3)} ms` : `${(ms * 1000).toPrecision(3)} µs`);
const ratioText = (r) => `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;

/**
 * Mounts the panel.
 * @param {HTMLElement} container
 * @param {import('quantlab').Quantlab} ql
 * @returns {() => void} unmount
 */
export function mountSpeed(container, ql) {
  const forced = forcedMinTime();
  let mode = MODES[0];
  /** @type {Map<string, import('quantlab').BenchmarkResult>} */
  const results = new Map();
  let running = false;
  let disposed = false;
  const info = ql.kernelInfo();

  const cases = planCases(ql, MODES[0].minTimeMs);
  const total = cases.reduce((n, c) => n + c.runs.length, 0);

  // --- environment -----------------------------------------------------------
  const env = detectEnvironment();
  const envItem = (label, value, testid, tone) =>
    h('div', { class: 'sp-env__item' }, h('dt', null, label), h('dd', { 'data-testid': testid, 'data-tone': tone }, value));
  const envCard = h(
    'section',
    { class: 'card sp-env', 'aria-labelledby': 'sp-env-title' },
    h('h2', { class: 'card__title', id: 'sp-env-title' }, 'This browser'),
    h(
      'dl',
      { class: 'sp-env__list' },
      envItem('WebAssembly SIMD', env.simd ? 'yes' : 'no', 'speed-env-simd', env.simd ? 'good' : 'bad'),
      envItem('Cross-origin isolated', env.isolated ? 'yes' : 'no', 'speed-env-isolated', env.isolated ? 'good' : 'warn'),
      envItem('Timer resolution', durationText(env.timerMs), 'speed-env-timer', env.timerMs <= 0.02 ? 'good' : 'warn'),
      envItem('Logical cores', env.cores == null ? 'unknown' : String(env.cores), 'speed-env-cores'),
    ),
    h('p', { class: 'sp-env__ua mono', 'data-testid': 'speed-env-ua' }, env.userAgent),
    h(
      'p',
      { class: 'sp-env__note' },
      'Kernels: ',
      h('code', null, info.kernels.simd?.f32Gemm ?? '—'),
      ', ',
      h('code', null, info.kernels.simd?.int8Gemm ?? '—'),
      ' and their scalar twins, compiled without auto-vectorization. Timings run on one thread; the median of 5 samples after a warm-up.',
    ),
  );
  envCard.dataset.timerMs = String(env.timerMs);

  // --- controls and progress -------------------------------------------------
  const runButton = h('button', { type: 'button', class: 'button sp-run', 'data-testid': 'speed-run' }, 'Run benchmarks');
  const modeInputs = MODES.map((m) =>
    h('input', { type: 'radio', name: 'sp-mode', value: m.id, checked: m === mode, 'data-testid': `speed-mode-${m.id}` }),
  );
  for (const input of modeInputs) {
    input.addEventListener('change', () => {
      if (input.checked) mode = MODES.find((m) => m.id === input.value) ?? MODES[0];
      setText(modeAbout, modeText());
    });
  }
  const modeText = () => (forced ? `test mode: ${forced} ms per case (from the page address)` : mode.about);
  const modeAbout = h('span', { class: 'sp-mode__about muted' }, modeText());
  const fill = h('div', { class: 'sp-progress__fill' });
  const progress = h(
    'div',
    {
      class: 'sp-progress',
      role: 'progressbar',
      'aria-label': 'Benchmark progress',
      'aria-valuemin': '0',
      'aria-valuemax': String(total),
      'aria-valuenow': '0',
      'data-testid': 'speed-progress',
    },
    fill,
  );
  const progressText = h('p', { class: 'sp-progress__text', 'data-testid': 'speed-status', 'aria-live': 'polite' }, `${total} cases, ready to run.`);
  const runError = createErrorMessage({ testid: 'speed-error', className: 'sp-alert' });

  function setProgress(done, text) {
    progress.setAttribute('aria-valuenow', String(done));
    fill.style.width = `${(100 * done) / total}%`;
    setText(progressText, text);
  }

  const runCard = h(
    'section',
    { class: 'card sp-runner', 'aria-labelledby': 'sp-run-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'sp-run-title' }, 'Benchmark'),
        h('p', { class: 'card__lede' }, 'Four cases, each in fp32 and int8, scalar and SIMD. They run in a Web Worker: keep using the page meanwhile.'),
      ),
      h(
        'div',
        { class: 'sp-actions' },
        h(
          'div',
          { class: 'qz-segmented qz-segmented--small sp-mode', role: 'radiogroup', 'aria-label': 'Benchmark length' },
          modeInputs.map((input, i) => h('label', { class: 'qz-segmented__option' }, input, h('span', null, MODES[i].label))),
        ),
        runButton,
      ),
    ),
    h('div', { class: 'sp-progress-row' }, progress, modeAbout),
    progressText,
    runError.el,
  );

  // --- results: chart and table ----------------------------------------------
  const chartBox = h('div', { class: 'sp-chart', 'data-testid': 'speed-chart' });
  const legend = h(
    'ul',
    { class: 'legend sp-legend', 'aria-label': 'Chart key' },
    VARIANTS.map((v, i) =>
      h('li', null, h('span', { class: 'legend__swatch', style: `background: var(${VARIANT_COLOURS[i]})`, 'aria-hidden': 'true' }), v.label),
    ),
  );
  const copyButton = h('button', { type: 'button', class: 'sp-copy', 'data-testid': 'speed-copy', disabled: true }, 'Copy JSON');
  const copyStatus = h('span', { class: 'sp-copy__status muted', 'data-testid': 'speed-copy-status', 'aria-live': 'polite' });
  const copyFallback = h('textarea', { class: 'sp-copy__fallback mono', 'data-testid': 'speed-copy-fallback', readonly: true, rows: 8, hidden: true, 'aria-label': 'Results as JSON' });

  /** Cells by result key. */
  const cells = new Map();
  /** Speedup cells by case key. */
  const speedupCells = new Map();
  const rows = cases.map((c) => {
    const variantCells = VARIANTS.map((v) => {
      const td = h('td', { class: 'num sp-cell', 'data-testid': `speed-gops-${v.dtype}-${v.impl}` }, h('span', { class: 'sp-cell__gops' }, '—'), h('span', { class: 'sp-cell__ms' }, ''));
      cells.set(resultKey(c.key, v.dtype, v.impl), td);
      return td;
    });
    const ups = {
      int8: h('td', { class: 'num sp-up', 'data-testid': 'speed-up-int8' }, '—'),
      fp32Simd: h('td', { class: 'num sp-up', 'data-testid': 'speed-up-fp32-simd' }, '—'),
      int8Simd: h('td', { class: 'num sp-up', 'data-testid': 'speed-up-int8-simd' }, '—'),
    };
    speedupCells.set(c.key, ups);
    return h(
      'tr',
      { 'data-testid': `speed-row-${c.key}` },
      h('th', { scope: 'row' }, caseTitle(c.spec)),
      variantCells,
      ups.int8,
      ups.fp32Simd,
      ups.int8Simd,
    );
  });
  const table = h(
    'div',
    { class: 'table-scroll sp-table-wrap' },
    h(
      'table',
      { class: 'format-table sp-table', 'data-testid': 'speed-table' },
      h('caption', { class: 'visually-hidden' }, 'GOPS and time per run of each kernel, and speedups'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Case'),
          VARIANTS.map((v, i) => h('th', { scope: 'col', class: 'num' }, h('span', { class: 'sp-dot', style: `background: var(${VARIANT_COLOURS[i]})`, 'aria-hidden': 'true' }), v.label)),
          h('th', { scope: 'col', class: 'num sp-up-head', title: 'int8 SIMD GOPS ÷ fp32 SIMD GOPS' }, 'int8 ÷ fp32', h('small', null, 'SIMD')),
          h('th', { scope: 'col', class: 'num sp-up-head', title: 'fp32 SIMD ÷ fp32 scalar' }, 'SIMD ÷ scalar', h('small', null, 'fp32')),
          h('th', { scope: 'col', class: 'num sp-up-head', title: 'int8 SIMD ÷ int8 scalar' }, 'SIMD ÷ scalar', h('small', null, 'int8')),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
  const resultsCard = h(
    'section',
    { class: 'card sp-results', 'aria-labelledby': 'sp-results-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'sp-results-title' }, 'Throughput'),
        h('p', { class: 'card__lede' }, 'Billions of operations per second (2 per multiply-add); higher is better. Each cell: GOPS, then the median time of one run.'),
      ),
      h('div', { class: 'sp-copy-row' }, copyStatus, copyButton),
    ),
    legend,
    chartBox,
    table,
    copyFallback,
  );

  function renderResult(c, r) {
    const td = cells.get(resultKey(c.key, r.dtype, r.impl));
    td.dataset.value = String(r.gops);
    td.dataset.ms = String(r.ms);
    setText(td.firstChild, gopsText(r.gops));
    setText(td.lastChild, msText(r.ms));
    const get = (dtype, impl) => results.get(resultKey(c.key, dtype, impl))?.gops;
    const ups = speedupCells.get(c.key);
    const setUp = (cell, a, b) => {
      if (a === undefined || b === undefined) return;
      const ratio = a / b;
      cell.dataset.value = String(ratio);
      cell.dataset.tone = ratio >= 1.05 ? 'good' : ratio < 0.95 ? 'bad' : '';
      setText(cell, ratioText(ratio));
    };
    setUp(ups.int8, get('int8', 'simd'), get('fp32', 'simd'));
    setUp(ups.fp32Simd, get('fp32', 'simd'), get('fp32', 'scalar'));
    setUp(ups.int8Simd, get('int8', 'simd'), get('int8', 'scalar'));
  }

  function clearResults() {
    results.clear();
    for (const td of cells.values()) {
      delete td.dataset.value;
      setText(td.firstChild, '—');
      setText(td.lastChild, '');
    }
    for (const ups of speedupCells.values()) {
      for (const cell of Object.values(ups)) {
        delete cell.dataset.value;
        delete cell.dataset.tone;
        setText(cell, '—');
      }
    }
  }

  // --- explanation -----------------------------------------------------------
  const why = h(
    'details',
    { class: 'card sp-why', 'data-testid': 'speed-why', open: true },
    h('summary', { class: 'sp-why__summary', 'data-testid': 'speed-why-summary' }, 'Why int8 is faster — and when it is not'),
    h(
      'div',
      { class: 'sp-why__body' },
      h(
        'p',
        null,
        h('strong', null, 'Faster: '),
        'an int8 weight takes a quarter of an fp32 one, so a kernel limited by memory — the 1×4096×4096 matrix-vector product, the shape of LLM decoding — streams 16 MB instead of 64 MB. And one SIMD instruction does more work: ',
        h('code', null, 'i32x4.dot_i16x8_s'),
        ' performs 8 multiply-adds, against 4 for an ',
        h('code', null, 'f32x4'),
        ' multiply plus add.',
      ),
      h(
        'p',
        null,
        h('strong', null, 'Not always: '),
        'int8 results must be requantized (scaled, rounded and clamped back to 8 bits), and activations packed with their zero points; on small matrices this fixed cost weighs more. Scalar int8 is slower than scalar fp32 — a sign-extending load and an integer multiply per step — so the gain comes from SIMD alone. And on CPUs with a single pipe for the dot-product instruction (AMD Zen 1, where the README’s first table was measured: ',
        h('code', null, 'pmaddwd'),
        ' issues once per cycle) int8’s peak is 8 multiply-adds per cycle, the same as fp32’s two multiplies and two adds; there compute-bound GEMM gains about 1.6–1.8×, not 4×, while matvec still gains about 3× from memory.',
      ),
      h('p', { class: 'muted' }, 'The README’s “Speed” section has the Node measurements beside onnxruntime-web and the reasoning in full.'),
    ),
  );

  // --- layout ----------------------------------------------------------------
  const panel = h(
    'div',
    { class: 'panel panel--speed', 'data-testid': 'speed-panel' },
    h(
      'header',
      { class: 'panel__intro' },
      h('h1', { class: 'panel__title' }, 'Speed'),
      h('p', { class: 'panel__lede' }, 'int8 and fp32 kernels racing in WebAssembly SIMD, measured here in your browser: matrix products, a batch-1 matrix-vector product and a convolution, each against its scalar twin.'),
    ),
    h('div', { class: 'sp-top' }, runCard, envCard),
    resultsCard,
    why,
  );
  container.replaceChildren(panel);
  const chart = createSpeedChart(chartBox, cases);

  // --- running ---------------------------------------------------------------
  const client = createLatestClient(
    () => new Worker(new URL('./speed/bench.worker.js', import.meta.url), { type: 'module', name: 'speed-bench' }),
    { fallback: (message) => ql.benchmarkKernel(message.spec) },
  );

  async function run() {
    if (running) return;
    running = true;
    const minTimeMs = forced ?? mode.minTimeMs;
    runButton.disabled = true;
    setText(runButton, 'Running…');
    for (const input of modeInputs) input.disabled = true;
    copyButton.disabled = true;
    copyFallback.hidden = true;
    setText(copyStatus, '');
    runError.clear();
    panel.classList.add('is-running');
    clearResults();
    chart.update(results);
    const started = performance.now();
    let done = 0;
    try {
      for (const c of cases) {
        for (const spec of c.runs) {
          const variant = VARIANTS.find((v) => v.dtype === spec.dtype && v.impl === spec.impl);
          setProgress(done, `Case ${done + 1} of ${total}: ${caseTitle(spec)}, ${variant?.label} …`);
          const reply = await client.request({ spec: { ...spec, minTimeMs } });
          if (disposed) return;
          if (reply.status !== 'done') continue;
          const r = reply.value;
          results.set(resultKey(c.key, r.dtype, r.impl), r);
          renderResult(c, r);
          chart.update(results);
          done += 1;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const where = client.mode === 'worker' ? 'in a Web Worker' : 'on the main thread (no module workers here)';
      setProgress(done, `Done: ${total} cases in ${seconds.toFixed(1)} s ${where}, ${minTimeMs} ms of measuring per case.`);
      panel.dataset.state = 'done';
      copyButton.disabled = false;
    } catch (error) {
      if (disposed) return;
      runError.show(error);
      setProgress(done, `Stopped after ${done} of ${total} cases.`);
      panel.dataset.state = 'error';
      copyButton.disabled = results.size === 0;
    } finally {
      if (!disposed) {
        running = false;
        runButton.disabled = false;
        setText(runButton, 'Run again');
        for (const input of modeInputs) input.disabled = false;
        panel.classList.remove('is-running');
      }
    }
  }
  runButton.addEventListener('click', () => {
    panel.dataset.state = 'running';
    run();
  });

  // --- copying -----------------------------------------------------------------
  /** Records shaped like bench/results.json. */
  function recordsJson() {
    const records = [];
    for (const c of cases) {
      for (const spec of c.runs) {
        const r = results.get(resultKey(c.key, spec.dtype, spec.impl));
        if (r) records.push({ kernel: r.kernel, dtype: r.dtype, impl: r.impl, shape: r.shape, ms: Number(r.ms.toPrecision(6)), gops: Number(r.gops.toFixed(3)) });
      }
    }
    return JSON.stringify(records, null, 2);
  }
  copyButton.addEventListener('click', async () => {
    const json = recordsJson();
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(json);
      copyFallback.hidden = true;
      setText(copyStatus, `Copied ${results.size} records.`);
    } catch {
      // no permission or no clipboard API: show the JSON, selected
      copyFallback.value = json;
      copyFallback.hidden = false;
      copyFallback.focus();
      copyFallback.select();
      setText(copyStatus, 'Copying is blocked here: the JSON is selected below, press Ctrl+C / ⌘C.');
    }
  });

  return () => {
    disposed = true;
    client.terminate();
    chart.destroy();
    container.replaceChildren();
  };
}
