// The Calibrate panel: post-training quantization of a model, in the page.
// Pick a bundled Fashion-MNIST model (or your own .onnx), choose how to
// calibrate, press Calibrate: a Web Worker (calibrate/calibrate.worker.js)
// loads the model, runs the calibration images through it, converts it to an
// int8 model that runs on integer kernels, and reports where the error is:
// accuracy float against int8, size, latency, SQNR per layer (isolated and
// propagated), histograms with the clipping ranges, the images whose answer
// changed, the sensitivity plan with "keep in float" toggles and the 4-bit
// plan with "4-bit weights" toggles. The QDQ
// model and the recipe download from here.
//
// The Model panel's picker, bundle loading and image drawing are reused
// (model/picker.js, shared/bundle.js, shared/draw-image.js); the histograms are
// the Quantizer panel's chart.
import { h, setText } from '../shared/dom.js';
import { createErrorMessage, messageOf } from '../shared/error-message.js';
import { DEFAULT_PREPROCESSING, loadImageSet, loadManifest, loadModelBytes } from '../shared/bundle.js';
import { cancelledError, createJobClient } from '../shared/job-client.js';
import { IMAGE_SIZE } from '../shared/model-input.js';
import { createPicker, splitFiles } from './model/picker.js';
import { createDisagreements } from './calibrate/disagreements.js';
import { createDownloads } from './calibrate/downloads.js';
import { countText } from './calibrate/format.js';
import { createLayerDetail } from './calibrate/layer-detail.js';
import { createLayerTable } from './calibrate/layer-table.js';
import { createLowBits, lowBitLayers, lowBitPlanLayers } from './calibrate/low-bits.js';
import { createProgress } from './calibrate/progress.js';
import { createSensitivity } from './calibrate/sensitivity.js';
import { createCalibrateSession } from './calibrate/session.js';
import { createSettings, quantizeOptions, settingsChips } from './calibrate/settings.js';
import { createSqnrChart } from './calibrate/sqnr-chart.js';
import { renderSummary } from './calibrate/summary.js';

/** The model chosen first, when the manifest has it. */
const DEFAULT_MODEL = 'cnn';

/**
 * A model to quantize: a bundled one or files from disk.
 * @typedef {object} Source
 * @property {string} key a bundled model's id, or 'file'
 * @property {string} title
 * @property {string} file the .onnx file name (names the downloads)
 * @property {import('../shared/bundle.js').ManifestModel | null} entry
 * @property {() => Promise<Uint8Array>} bytes
 * @property {() => Promise<Record<string, Uint8Array> | null>} external
 */

/**
 * Mounts the panel.
 * @param {HTMLElement} container
 * @param {import('quantlab').Quantlab} ql
 * @returns {() => void} unmount
 */
export function mountCalibrate(container, ql) {
  let disposed = false;
  /** @type {import('../shared/bundle.js').Manifest | null} */
  let manifest = null;
  /** @type {Source | null} */
  let selected = null;
  /** The bundled images, once loaded. */
  let images = /** @type {{ calib: { images: Uint8Array, count: number }, test: { images: Uint8Array, labels: Int32Array, count: number } } | null} */ (null);
  /** The running job (id 0 until it is sent to the worker). */
  let job = /** @type {{ id: number, kind: 'quantize' | 'convert', cancelled: boolean } | null} */ (null);
  /** What the report shows. */
  let shown = /** @type {{ source: Source, settings: import('./calibrate/settings.js').Settings, outcome: import('./calibrate/session.js').Outcome,
                          sensitivity: import('quantlab').PtqReport['sensitivity'], lowBits: import('quantlab').PtqReport['lowBits'],
                          classNames: string[] } | null} */ (null);
  /** The worker still holds the quantized model of the report (a cancel restarts it empty). */
  let workerHasModel = false;
  let selectedLayer = '';

  // --- parts -----------------------------------------------------------------
  const picker = createPicker({ onBundled: (entry) => choose(bundledSource(entry)), onFiles: chooseFiles });
  const pickError = createErrorMessage({ testid: 'cb-pick-error', className: 'md-alert' });
  picker.el.append(pickError.el);
  const settings = createSettings({ onRun: run, onCancel: cancel });
  const progress = createProgress();
  const runError = createErrorMessage({ testid: 'cb-error', className: 'cb-alert' });
  const selectedText = h('p', { class: 'card__lede', 'data-testid': 'cb-selected' }, 'Loading the bundled models…');
  const settingsCard = h(
    'section',
    { class: 'card cb-settings-card', 'aria-labelledby': 'cb-settings-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'cb-settings-title' }, 'Calibrate and quantize'),
        selectedText,
      ),
    ),
    settings.el,
    progress.el,
    runError.el,
  );

  const about = h(
    'details',
    { class: 'card md-about cb-about', 'data-testid': 'cb-about' },
    h('summary', { class: 'md-about__summary' }, 'What calibration does'),
    h(
      'div',
      { class: 'md-about__body' },
      h(
        'p',
        null,
        'An int8 tensor stores codes q from −128 to 127 and one ',
        h('strong', null, 'scale'),
        ' s and ',
        h('strong', null, 'zero point'),
        ' z: the value is s·(q − z). Weights are known in advance, so their ranges are read straight off the file. ',
        'Activations exist only while the model runs, so static quantization ',
        h('strong', null, 'calibrates'),
        ': it runs a few hundred representative images through the float model, and an observer per activation records the values and picks a clipping range. The scale and zero point follow from that range.',
      ),
      h(
        'p',
        null,
        'Then the graph is converted: each Conv, Gemm and MatMul (with its ReLU) reads int8, multiplies by int8 weights into int32 sums, and writes int8 in the next layer’s scale. No retraining: that is what makes it ',
        h('em', null, 'post-training'),
        ' quantization. The Quantizer panel shows one tensor’s grid and the observers side by side; here they run on a whole network.',
      ),
    ),
  );

  // --- the report ------------------------------------------------------------
  const reportTitle = h('h2', { class: 'card__title', id: 'cb-report-title' }, 'Report');
  const chips = h('ul', { class: 'cb-chips', 'aria-label': 'Settings of this report', 'data-testid': 'cb-report-settings' });
  const elapsed = h('p', { class: 'cb-elapsed muted', 'data-testid': 'cb-elapsed' });
  const summaryBox = h('div', { class: 'cb-summary-box' });
  const chart = createSqnrChart({ onSelect: (name) => selectLayer(name) });
  const table = createLayerTable({ onSelect: (name) => selectLayer(name) });
  const detail = createLayerDetail();
  const disagreements = createDisagreements();
  const sensitivity = createSensitivity({ onApply: (names) => reconvert({ keepFloat: names }) });
  const lowBits = createLowBits({ onApply: (layerBits) => reconvert({ layerBits }) });
  const downloads = createDownloads();
  const errorCard = h(
    'section',
    { class: 'card cb-error-card', 'aria-labelledby': 'cb-error-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'cb-error-title' }, 'Where the error is'),
        h(
          'p',
          { class: 'card__lede' },
          'SQNR compares a layer’s output with the float model’s, on the first calibration images: 10·log10(signal power / error power). Each 6 dB is about one bit; at 30 dB the error is 3% of the signal’s size. ',
          h('strong', null, 'Isolated'),
          ': only this layer quantized, its input exactly float, so the error is its own. ',
          h('strong', null, 'Propagated'),
          ': the whole model quantized, so the error includes everything before it. A layer with a low isolated SQNR is a culprit; a propagated SQNR that keeps falling shows error piling up.',
        ),
      ),
    ),
    chart.el,
    table.el,
    detail.el,
  );
  const report = h(
    'div',
    { class: 'cb-report', 'data-testid': 'cb-report', hidden: true, 'aria-labelledby': 'cb-report-title', role: 'region' },
    h(
      'section',
      { class: 'card cb-report-card' },
      h('div', { class: 'cb-report-head' }, reportTitle, chips, elapsed),
      summaryBox,
    ),
    errorCard,
    disagreements.el,
    sensitivity.el,
    lowBits.el,
    downloads.el,
  );

  const panel = h(
    'div',
    { class: 'panel panel--calibrate', 'data-testid': 'calibrate-panel', 'data-state': 'idle' },
    h(
      'header',
      { class: 'panel__intro' },
      h('h1', { class: 'panel__title' }, 'Calibrate'),
      h(
        'p',
        { class: 'panel__lede' },
        'Quantize a real network to int8 in your browser: calibrate it on a few images, convert it to integer kernels, and see what it costs — accuracy, error layer by layer, and the images whose answer changes. Then download a model onnxruntime runs.',
      ),
    ),
    picker.el,
    about,
    settingsCard,
    report,
  );
  container.replaceChildren(panel);

  // --- the worker ------------------------------------------------------------
  const local = createCalibrateSession(() => Promise.resolve(ql));
  const client = createJobClient(
    () => new Worker(new URL('./calibrate/calibrate.worker.js', import.meta.url), { type: 'module', name: 'calibrate' }),
    { fallback: (message, onProgress, isCancelled) => local.handle(message, onProgress, isCancelled) },
  );
  const where = () => (client.mode === 'worker' ? 'in a Web Worker' : 'on the main thread');

  // --- choosing a model --------------------------------------------------------
  /** @returns {Source} */
  function bundledSource(entry) {
    return { key: entry.id, title: entry.title, file: entry.file, entry, bytes: () => loadModelBytes(entry), external: async () => null };
  }

  function chooseFiles(files) {
    let split;
    try {
      split = splitFiles(files);
    } catch (error) {
      pickError.show(error);
      return;
    }
    const { model, external } = split;
    const entry = manifest?.models.find((m) => m.file === model.name && m.file_size_bytes === model.size) ?? null;
    choose({
      key: 'file',
      title: [model.name, ...external.map((f) => f.name)].join(' + '),
      file: model.name,
      entry,
      bytes: async () => new Uint8Array(await model.arrayBuffer()),
      external: async () =>
        external.length ? Object.fromEntries(await Promise.all(external.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())]))) : null,
    });
  }

  /** @param {Source} source */
  function choose(source) {
    selected = source;
    pickError.clear();
    picker.setSelected(source.key, source.key === 'file' ? source.title : '');
    panel.dataset.model = source.key;
    setText(selectedText, `${source.title}. Choose how to calibrate it, then press Calibrate: everything runs in your browser, nothing is uploaded.`);
    updateReady();
  }

  function updateReady() {
    settings.setEnabled(!job && !!selected && !!images);
  }

  // --- running -----------------------------------------------------------------
  const stagesOf = (kind, withSensitivity) =>
    kind === 'quantize'
      ? ['load', 'calibrate', 'convert', 'report', 'evaluate', ...(withSensitivity ? ['sensitivity', 'low-bit plan'] : []), 'time']
      : ['convert', 'report', 'evaluate', 'time'];

  function begin(kind, stageIds) {
    job = { id: 0, kind, cancelled: false };
    panel.dataset.state = 'running';
    panel.dataset.job = kind;
    runError.clear();
    settings.setRunning(true);
    progress.start(stageIds);
    report.classList.add('is-stale');
    report.setAttribute('aria-busy', 'true');
    sensitivity.setBusy(true, kind === 'convert' ? 'Re-converting and re-evaluating…' : '');
    lowBits.setBusy(true, kind === 'convert' ? 'Re-converting and re-evaluating…' : '');
  }

  function end() {
    job = null;
    settings.setRunning(false);
    updateReady();
    report.classList.remove('is-stale');
    report.removeAttribute('aria-busy');
    sensitivity.setBusy(false);
    lowBits.setBusy(false);
    if (!workerHasModel && shown) {
      sensitivity.setBusy(true, 'The quantized model of this report is gone (a later run was cancelled or failed): press Calibrate again to change which layers stay in float.');
      lowBits.setBusy(true, 'The quantized model of this report is gone (a later run was cancelled or failed): press Calibrate again to change which layers take 4-bit weights.');
    }
  }

  async function run() {
    if (job || !selected || !images) return;
    const clicked = performance.now();
    const source = selected;
    const chosen = settings.read();
    begin('quantize', stagesOf('quantize', chosen.sensitivity));
    const mine = /** @type {NonNullable<typeof job>} */ (job);
    try {
      const [bytes, externalData] = await Promise.all([source.bytes(), source.external()]);
      if (disposed) return;
      if (mine.cancelled) throw cancelledError();
      const preprocessing = source.entry?.input_preprocessing ?? manifest?.input_preprocessing ?? DEFAULT_PREPROCESSING;
      workerHasModel = false;
      const started = client.start(
        {
          type: 'quantize',
          bytes,
          externalData,
          preprocessing,
          calib: images.calib.images,
          test: { images: images.test.images, labels: images.test.labels },
          options: quantizeOptions(chosen),
          sensitivity: chosen.sensitivity,
          lowBits: chosen.sensitivity && chosen.mode === 'static',
        },
        { onProgress: (p) => !disposed && progress.update(p) },
      );
      mine.id = started.id;
      const outcome = await started.promise;
      if (disposed) return;
      workerHasModel = true;
      const ms = performance.now() - clicked;
      shown = {
        source,
        settings: chosen,
        outcome,
        sensitivity: outcome.report.sensitivity,
        lowBits: outcome.report.lowBits,
        classNames: source.entry?.class_names ?? manifest?.class_names ?? [],
      };
      show(ms, { checked: outcome.report.sensitivity?.plan ?? [], checkedLow: lowPlanOf(outcome.report.lowBits) });
      progress.done(`Done in ${(ms / 1000).toFixed(1)} s ${where()}: the report is below.`);
      panel.dataset.state = 'done';
    } catch (error) {
      if (disposed) return;
      fail(error);
    } finally {
      if (!disposed && job === mine) end();
    }
  }

  /** The layers a report's 4-bit plan puts at 4 bits. */
  function lowPlanOf(lowBitsReport) {
    return lowBitsReport ? lowBitPlanLayers(lowBitsReport.plan) : null;
  }

  /** Quantized layers with 4-bit weights. */
  const lowCount = (outcome) => lowBitLayers(outcome.layers).length;

  /** "2 layers in float, 3 with 4-bit weights" for a progress line. */
  function shapeText(outcome) {
    const low = lowCount(outcome);
    const parts = [outcome.keepFloat.length ? `${countText(outcome.keepFloat.length)} layer${outcome.keepFloat.length === 1 ? '' : 's'} in float` : 'every layer quantized'];
    if (low) parts.push(`${countText(low)} with 4-bit weights`);
    return parts.join(', ');
  }

  /** Re-converts the worker's model with other layers in float or at 4 bits, and re-evaluates. */
  async function reconvert(change) {
    if (job || !shown || !workerHasModel) return;
    const clicked = performance.now();
    begin('convert', stagesOf('convert', false));
    const mine = /** @type {NonNullable<typeof job>} */ (job);
    const started = client.start({ type: 'convert', ...change }, { onProgress: (p) => !disposed && progress.update(p) });
    mine.id = started.id;
    try {
      const outcome = await started.promise;
      if (disposed) return;
      const ms = performance.now() - clicked;
      shown = { ...shown, outcome };
      show(ms, { checked: outcome.keepFloat, checkedLow: null });
      progress.done(`Re-evaluated in ${(ms / 1000).toFixed(1)} s with ${shapeText(outcome)}.`);
      panel.dataset.state = 'done';
    } catch (error) {
      if (disposed) return;
      fail(error);
    } finally {
      if (!disposed && job === mine) end();
    }
  }

  function fail(error) {
    if (/** @type {any} */ (error)?.cancelled) {
      panel.dataset.state = 'cancelled';
      progress.stop(shown ? 'Cancelled. The report below is from the previous run.' : 'Cancelled.');
      return;
    }
    panel.dataset.state = 'error';
    progress.stop('Stopped: the run failed.');
    runError.show(`${panel.dataset.job === 'convert' ? 'Re-converting' : 'Calibrating'} failed: ${messageOf(error)}`);
  }

  function cancel() {
    if (!job || job.cancelled) return;
    job.cancelled = true;
    if (!job.id) return; // not sent yet: run() stops before sending
    workerHasModel = false;
    // the report runs inside one synchronous wasm call: stop the worker itself
    client.restart();
  }

  // --- the report --------------------------------------------------------------
  /**
   * Renders `shown`.
   * @param {number} ms from the click to the result
   * @param {{ checked: string[], checkedLow: string[] | null }} toggles the layers to tick "keep in float" and "4-bit" (null: as they are)
   */
  function show(ms, { checked, checkedLow }) {
    if (!shown || !images) return;
    const { source, settings: s, outcome, classNames } = shown;
    const { report: r } = outcome;
    const ev = /** @type {NonNullable<typeof r.evaluation>} */ (r.evaluation);
    report.hidden = false;
    report.dataset.state = 'done';
    report.dataset.model = source.key;
    report.dataset.int8Predictions = ev.quantizedPredictions.join(',');
    report.dataset.keepFloat = JSON.stringify(outcome.keepFloat);
    report.dataset.layerBits = JSON.stringify(outcome.layerBits);
    report.dataset.elapsedMs = String(ms);
    setText(reportTitle, `Report: ${source.title}`);
    chips.replaceChildren(
      ...[
        ...settingsChips(s),
        outcome.keepFloat.length ? `${outcome.keepFloat.length} kept in float` : 'every layer quantized',
        ...(lowCount(outcome) ? [`${lowCount(outcome)} with 4-bit weights`] : []),
      ].map((c) => h('li', { class: 'cb-chip' }, c)),
    );
    setText(elapsed, `Ready ${(ms / 1000).toFixed(1)} s after the click, ${where()}. Layer errors on ${countText(r.samples)} calibration images; accuracy on ${countText(ev.count)} test images.`);
    elapsed.dataset.ms = String(ms);
    summaryBox.replaceChildren(renderSummary({ outcome, where: where() }));
    chart.render(r.layers);
    table.render(r.layers);
    if (!r.layers.some((l) => l.name === selectedLayer)) {
      const quantized = r.layers.filter((l) => l.quantized);
      const worst = quantized.reduce((w, l) => (!w || l.isolated.sqnrDb < w.isolated.sqnrDb ? l : w), /** @type {any} */ (null));
      selectedLayer = (worst ?? r.layers[0])?.name ?? '';
    }
    selectLayer(selectedLayer);
    disagreements.render(ev, images.test, classNames);
    sensitivity.render({ layers: r.layers, sensitivity: shown.sensitivity, keepFloat: outcome.keepFloat, checked, mode: outcome.mode });
    lowBits.render({ layers: outcome.layers, lowBits: shown.lowBits, defaultBits: s.bits, mode: outcome.mode, checked: checkedLow });
    downloads.render(outcome, source.file);
  }

  function selectLayer(name) {
    if (!shown) return;
    const layers = shown.outcome.report.layers;
    const index = layers.findIndex((l) => l.name === name);
    if (index < 0) return;
    selectedLayer = name;
    chart.select(name);
    table.select(name);
    detail.show(layers[index], index, shown.outcome.mode);
  }

  // --- start -------------------------------------------------------------------
  settings.setEnabled(false);
  const manifestReady = loadManifest().then(
    (m) => {
      if (disposed) return null;
      manifest = m;
      picker.setManifest(m);
      const first = m.models.find((e) => e.id === DEFAULT_MODEL) ?? m.models[0];
      if (first) choose(bundledSource(first));
      return m;
    },
    (error) => {
      if (!disposed) picker.showManifestError(error);
      return null;
    },
  );
  manifestReady
    .then((m) => Promise.all([loadImageSet(m, 'calib'), loadImageSet(m, 'test')]))
    .then(([calib, test]) => {
      if (disposed) return;
      images = { calib: { images: calib.images, count: calib.count }, test };
      if (calib.count * IMAGE_SIZE * IMAGE_SIZE !== calib.images.length) throw new Error('the calibration images have the wrong size');
      updateReady();
    })
    .catch((error) => {
      if (disposed) return;
      runError.show(`The bundled images could not be loaded, so nothing can be calibrated: ${error instanceof Error ? error.message : String(error)}`);
    });

  return () => {
    disposed = true;
    progress.dispose();
    detail.destroy();
    client.terminate();
    // on the main thread (no worker) the models live in the page's instance
    local.handle({ type: 'release' }, () => {}, () => false);
    container.replaceChildren();
  };
}
