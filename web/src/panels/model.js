// The Model panel: pick a bundled Fashion-MNIST model or open your own .onnx
// (with its external-data file), see its layers as quantlab reads them
// (op, output shape, parameters, share of FLOPs), its predictions on sample
// test images, and its fp32 accuracy on the bundled test set.
//
// The model is loaded and run in a Web Worker (model/model.worker.js) that
// holds the test images and one model; the evaluation reports progress batch
// by batch and can be cancelled by picking another model. The page fetches the
// manifest, the .onnx files and the .npy data from models/ (see vite.config.js).
import { h, setText } from '../shared/dom.js';
import { createErrorMessage } from '../shared/error-message.js';
import { createJobClient } from '../shared/job-client.js';
import { DEFAULT_PREPROCESSING, loadManifest, loadModelBytes, loadTestSet } from '../shared/bundle.js';
import { inputPlan } from '../shared/model-input.js';
import { createEvaluation } from './model/evaluation.js';
import { bytesText, countText } from './model/format.js';
import { createLayers } from './model/layers.js';
import { createPicker, splitFiles } from './model/picker.js';
import { pickIndices, createSamples } from './model/samples.js';
import { createModelSession } from './model/session.js';

/**
 * A model to open: a bundled one or files from disk.
 * @typedef {object} Source
 * @property {string} key a bundled model's id, or 'file'
 * @property {string} title
 * @property {import('../shared/bundle.js').ManifestModel | null} entry the manifest entry, when known
 * @property {() => Promise<Uint8Array>} bytes
 * @property {() => Promise<Record<string, Uint8Array> | null>} external
 */

/**
 * Mounts the panel.
 * @param {HTMLElement} container
 * @param {import('quantlab').Quantlab} ql
 * @returns {() => void} unmount
 */
export function mountModel(container, ql) {
  let disposed = false;
  /** @type {import('../shared/bundle.js').Manifest | null} */
  let manifest = null;
  /** @type {{ images: Uint8Array, labels: Int32Array, count: number } | null} */
  let testSet = null;
  /** Why the test images are missing, once known. */
  let testSetProblem = /** @type {unknown} */ (null);
  /** Resolves when the worker has the test images (or they failed). */
  let testSetReady = Promise.resolve();
  /** The open model. */
  let current = /** @type {{ source: Source, info: import('../shared/model-input.js').ModelInfo, plan: import('../shared/model-input.js').InputPlan } | null} */ (null);
  /** Bumped by every model change: late answers for an older model are dropped. */
  let generation = 0;
  /** @type {{ id: number } | null} */
  let evalJob = null;
  let sampleIndices = pickIndices(1000);

  const imageCount = () => testSet?.count ?? manifest?.data?.test?.count ?? 1000;
  const classNames = () => current?.source.entry?.class_names ?? manifest?.class_names ?? [];

  // --- parts -----------------------------------------------------------------
  const picker = createPicker({ onBundled: (entry) => open(bundledSource(entry)), onFiles: openFiles });
  const status = h('p', { class: 'md-status', 'data-testid': 'model-status', 'aria-live': 'polite' });
  const modelError = createErrorMessage({ testid: 'model-error', className: 'md-alert' });
  const layers = createLayers();
  const samples = createSamples({ onShuffle: shuffle });
  const evaluation = createEvaluation({ onRun: evaluate });
  layers.clear();
  // what happened to the last pick, where the user made it
  picker.el.append(h('div', { class: 'md-status-row' }, status, modelError.el));

  const about = h(
    'details',
    { class: 'card md-about', 'data-testid': 'model-about', open: true },
    h('summary', { class: 'md-about__summary' }, 'What is an ONNX file?'),
    h(
      'div',
      { class: 'md-about__body' },
      h(
        'p',
        null,
        h('strong', null, 'ONNX'),
        ' (Open Neural Network Exchange) stores a trained network as a graph of standard operators — ',
        h('code', null, 'Conv'),
        ', ',
        h('code', null, 'Gemm'),
        ', ',
        h('code', null, 'Relu'),
        ', … — together with their weights, so a model trained in PyTorch runs anywhere that implements those operators. Big models keep the weights in a second, external-data file beside the graph.',
      ),
      h(
        'p',
        null,
        'quantlab reads the file with its own small protobuf decoder, checks that it knows every operator, infers each tensor’s shape, and folds constant subgraphs (such as a shape computation) once at load. What is left runs per image on the same fp32 kernels the Speed panel measures.',
      ),
    ),
  );

  const panel = h(
    'div',
    { class: 'panel panel--model', 'data-testid': 'model-panel' },
    h(
      'header',
      { class: 'panel__intro' },
      h('h1', { class: 'panel__title' }, 'Model'),
      h(
        'p',
        { class: 'panel__lede' },
        'A real network, read and run by quantlab in your browser: its layers and where its arithmetic goes, its predictions on test images, and its accuracy in fp32 — the baseline that quantization has to keep.',
      ),
    ),
    picker.el,
    about,
    layers.el,
    h('div', { class: 'md-bottom' }, samples.el, evaluation.el),
  );
  container.replaceChildren(panel);

  function showStatus(text, busy = false) {
    setText(status, text);
    status.classList.toggle('is-busy', busy);
  }

  // --- the worker ------------------------------------------------------------
  const local = createModelSession(() => Promise.resolve(ql));
  const client = createJobClient(
    () => new Worker(new URL('./model/model.worker.js', import.meta.url), { type: 'module', name: 'model' }),
    { fallback: (message, onProgress, isCancelled) => local.handle(message, onProgress, isCancelled) },
  );
  const where = () => (client.mode === 'worker' ? 'in a Web Worker' : 'on the main thread');

  // --- opening models ----------------------------------------------------------
  /** @returns {Source} */
  function bundledSource(entry) {
    return { key: entry.id, title: entry.title, entry, bytes: () => loadModelBytes(entry), external: async () => null };
  }

  function openFiles(files) {
    let split;
    try {
      split = splitFiles(files);
    } catch (error) {
      modelError.show(error);
      return;
    }
    const { model, external } = split;
    // the same file as a bundled model (name and size): use its manifest entry
    const entry = manifest?.models.find((m) => m.file === model.name && m.file_size_bytes === model.size) ?? null;
    const names = [model.name, ...external.map((f) => f.name)].join(' + ');
    open({
      key: 'file',
      title: names,
      entry,
      bytes: async () => new Uint8Array(await model.arrayBuffer()),
      external: async () =>
        external.length ? Object.fromEntries(await Promise.all(external.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())]))) : null,
    });
  }

  /** @param {Source} source */
  async function open(source) {
    const mine = ++generation;
    cancelEvaluation();
    current = null;
    picker.setSelected(source.key, source.key === 'file' ? source.title : '');
    panel.dataset.state = 'loading';
    panel.dataset.model = source.key;
    delete panel.dataset.samples;
    modelError.clear();
    layers.clear();
    samples.clear();
    samples.setShuffleEnabled(false);
    samples.setStatus('');
    evaluation.setReady(false, imageCount(), 'Waiting for the model…');
    showStatus(`Loading ${source.title}…`, true);
    try {
      const bytes = await source.bytes();
      const externalData = await source.external();
      if (mine !== generation || disposed) return;
      const externalSize = Object.values(externalData ?? {}).reduce((s, b) => s + b.length, 0);
      const preprocessing = source.entry?.input_preprocessing ?? manifest?.input_preprocessing ?? DEFAULT_PREPROCESSING;
      const t0 = performance.now();
      /** @type {import('../shared/model-input.js').ModelInfo} */
      const info = await client.request({ type: 'load', bytes, externalData, preprocessing });
      if (mine !== generation || disposed) return;
      const plan = inputPlan(info);
      current = { source, info, plan };
      layers.render(info, { fileSize: bytes.length + externalSize, fileNote: externalSize ? ` (+ ${bytesText(externalSize)} external)` : '' });
      showStatus(`${source.title}: ${countText(info.nodes.length)} nodes, ${countText(info.parameters)} parameters, loaded in ${Math.max(1, Math.round(performance.now() - t0))} ms ${where()}.`);
      panel.dataset.state = 'loaded';
      await testSetReady;
      if (mine !== generation || disposed) return;
      if (!plan.ok) {
        const why = `No predictions for this model: ${plan.reason} The grid and the evaluation need a Fashion-MNIST classifier.`;
        samples.setStatus(why, 'warn');
        evaluation.setReady(false, imageCount(), why);
        return;
      }
      if (!testSet) {
        const why = `The test images could not be loaded: ${testSetProblem instanceof Error ? testSetProblem.message : String(testSetProblem)}`;
        samples.setStatus(why, 'bad');
        evaluation.setReady(false, imageCount(), why);
        return;
      }
      evaluation.setReady(true, testSet.count);
      await predictSamples(mine);
    } catch (error) {
      if (mine !== generation || disposed) return;
      current = null;
      panel.dataset.state = 'error';
      showStatus(`${source.title} could not be opened.`);
      const missing = /external data file '([^']+)' was not given/.exec(error instanceof Error ? error.message : '');
      modelError.show(missing ? `${error.message}. Choose or drop the .onnx together with ${missing[1]}.` : error);
      layers.clear();
      samples.clear();
      samples.setStatus('');
      evaluation.setReady(false, imageCount(), 'Open a model that loads to evaluate it.');
    }
  }

  // --- samples ---------------------------------------------------------------
  async function predictSamples(mine) {
    if (!current?.plan.ok || !testSet) return;
    samples.setShuffleEnabled(false);
    samples.setStatus('Predicting…', 'busy');
    try {
      const indices = sampleIndices;
      const { logits, classes, ms } = await client.request({ type: 'predict', indices });
      if (mine !== generation || disposed) return;
      const right = samples.render(testSet, indices, logits, classes, classNames());
      samples.setStatus(`${right} of ${indices.length} right · ${indices.length} images in ${Math.max(1, Math.round(ms))} ms ${where()}`);
      panel.dataset.samples = 'done';
    } catch (error) {
      if (mine !== generation || disposed) return;
      samples.setStatus(`Prediction failed: ${error instanceof Error ? error.message : String(error)}`, 'bad');
    } finally {
      if (mine === generation && !disposed) samples.setShuffleEnabled(!evalJob);
    }
  }

  function shuffle() {
    if (!testSet) return;
    sampleIndices = pickIndices(testSet.count, { random: true });
    predictSamples(generation);
  }

  // --- evaluation --------------------------------------------------------------
  function cancelEvaluation() {
    if (evalJob) client.cancel(evalJob.id);
    evalJob = null;
  }

  async function evaluate() {
    if (!current?.plan.ok || !testSet || evalJob) return;
    const mine = generation;
    const entry = current.source.entry;
    evaluation.start();
    samples.setShuffleEnabled(false);
    const job = client.start({ type: 'evaluate' }, { onProgress: (p) => mine === generation && evaluation.progress(p.done, p.total) });
    evalJob = job;
    try {
      const result = await job.promise;
      if (mine !== generation || disposed) return;
      const reference = entry ? { accuracy: entry.accuracy.fp32_bundled_test, images: entry.accuracy.fp32_bundled_test_images ?? testSet.count } : null;
      evaluation.done(result, reference, classNames(), where());
    } catch (error) {
      if (mine !== generation || disposed || /** @type {any} */ (error)?.cancelled) return;
      evaluation.fail(error);
    } finally {
      if (evalJob === job) evalJob = null;
      if (mine === generation && !disposed) samples.setShuffleEnabled(!!current?.plan.ok);
    }
  }

  // --- start -------------------------------------------------------------------
  const manifestReady = loadManifest().then(
    (m) => {
      if (disposed) return null;
      manifest = m;
      picker.setManifest(m);
      return m;
    },
    (error) => {
      if (!disposed) picker.showManifestError(error);
      return null;
    },
  );
  testSetReady = manifestReady
    .then((m) => loadTestSet(m))
    .then(async (data) => {
      await client.request({ type: 'data', images: data.images, labels: data.labels });
      testSet = data;
      sampleIndices = pickIndices(data.count);
    })
    .catch((error) => {
      testSetProblem = error;
    });
  manifestReady.then((m) => {
    if (disposed) return;
    if (m?.models.length) open(bundledSource(m.models[0]));
    else showStatus('Open an .onnx file to begin.');
  });

  return () => {
    disposed = true;
    cancelEvaluation();
    client.terminate();
    container.replaceChildren();
  };
}
