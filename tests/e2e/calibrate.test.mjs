// Browser tests of the Calibrate panel: the built page in Debian's Chromium.
// The bundled CNN is calibrated on 200 images in the panel's Web Worker; the
// report's numbers must be those the npm package computes in Node with the
// same options (same wasm, so the same numbers): accuracy float and int8,
// agreement, the disagreeing images, isolated and propagated SQNR per layer,
// the file sizes, a layer's activation range. The SQNR chart and the layer
// table have one entry per layer, selecting a layer shows its histograms,
// keeping a layer in float and applying changes the report as the package
// says, and so does putting the 4-bit plan's layers at 4 bits. The downloaded
// QDQ model runs in onnxruntime-node and agrees with the page's int8 answers;
// the recipe parses. A bad option shows the core's
// message, Cancel stops a run inside the report, and the panel fits a phone.
// Every test fails on a console error, a page error or a failed request.
// Run: node --test tests/e2e/calibrate.test.mjs (QUANTLAB_E2E_BUILD=1 rebuilds the page)
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { init } from '../../dist/quantlab.js';
import { normalizationTable } from '../../web/src/shared/model-input.js';
import { readNpy } from '../js/lib/npy.mjs';
import { runOrt } from '../js/lib/ort_node.mjs';
import { collectErrors, launchBrowser } from './browser.mjs';
import { ROOT, startServer } from './server.mjs';

const SCREENSHOTS = `${ROOT}test-results/screenshots`;
const MANIFEST = JSON.parse(readFileSync(`${ROOT}models/models.json`, 'utf8'));
const CNN = MANIFEST.models.find((m) => m.id === 'cnn');
const MLP = MANIFEST.models.find((m) => m.id === 'mlp');
/** Calibration, conversion, report, evaluation, sensitivity and timing of the CNN (about 15 s on 2 cores). */
const RUN_TIMEOUT_MS = 180_000;
/** What "a new user quantizes a model in under a minute" allows for the whole run. */
const TIME_TO_REPORT_LIMIT_MS = 60_000;
/** Share of the 1,000 test images where onnxruntime's top-1 must equal the page's int8 top-1. */
const ORT_AGREEMENT = 0.995;
/** The page's defaults, which the test leaves as they are (200 images: clicked explicitly). */
const OPTIONS = { mode: 'static', samples: 200, batchSize: 32, weights: { granularity: 'channel', bits: 8 }, activations: { scheme: 'asymmetric', observer: 'minmax' } };

let server;
let browser;
/** The same quantization in Node: { layers, report, reportKept, kept, onnxKept, test }. */
let reference;

/** The bundled images as the page feeds them: normalized float32 through the same table. */
function loadImages() {
  const table = normalizationTable(CNN.input_preprocessing);
  const norm = (u8) => Float32Array.from(u8, (v) => table[v]);
  const calib = readNpy(`${ROOT}models/data/calib_images_u8.npy`);
  const test = readNpy(`${ROOT}models/data/test_images_u8.npy`);
  const labels = Array.from(readNpy(`${ROOT}models/data/test_labels.npy`).data, Number);
  return { calib: { data: norm(calib.data), shape: calib.shape }, test: { data: norm(test.data), shape: test.shape, labels } };
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Computes the reference once (a few seconds in wasm under Node). */
async function computeReference() {
  if (reference) return reference;
  const ql = await init();
  const images = loadImages();
  const model = await ql.loadModel(readFileSync(`${ROOT}models/${CNN.file}`));
  const q = await ql.quantizeModel(model, { ...OPTIONS, calibration: images.calib });
  const report = q.reportSync({ evaluation: images.test });
  const onnx = q.exportOnnx();
  /** Reports with one layer in float, by its name (the page's choice is read later). */
  const kept = new Map();
  reference = {
    images,
    layers: q.layers,
    report,
    onnx,
    /** The report and the QDQ bytes with `name` kept in float. */
    keptReport(name) {
      if (!kept.has(name)) {
        q.setKeepFloat([name]);
        kept.set(name, { report: q.reportSync({ evaluation: images.test }), onnx: q.exportOnnx(), recipe: q.recipe() });
        q.setKeepFloat([]);
      }
      return kept.get(name);
    },
    close() {
      q.delete();
      model.delete();
    },
  };
  return reference;
}

after(() => reference?.close());

/**
 * Opens the panel, runs `fn`, then fails if the page logged any error.
 * @param {(page: import('playwright-core').Page) => Promise<void>} fn
 */
async function withPage(fn, { viewport = { width: 1280, height: 900 }, colorScheme = 'light' } = {}) {
  const page = await browser.context.newPage();
  const errors = collectErrors(page);
  try {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme });
    await page.goto(`${server.url}#calibrate`);
    await page.getByTestId('calibrate-panel').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="cb-run"]').disabled, null, { timeout: 30_000 });
    await fn(page);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await page.close();
  }
}

const text = async (page, testid) => (await page.getByTestId(testid).first().textContent())?.trim();
const attr = (page, testid, name) => page.getByTestId(testid).first().getAttribute(name);
const panelState = (page) => attr(page, 'calibrate-panel', 'data-state');

/**
 * Waits for the running job to end and returns the stages seen as current and
 * the progress values, in order. Fails on an error state.
 */
async function waitForRun(page, { expect = 'done' } = {}) {
  const stages = [];
  const values = [];
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const seen = await page.evaluate(() => ({
      state: document.querySelector('[data-testid="calibrate-panel"]').dataset.state,
      stage: document.querySelector('.cb-stage[data-state="current"]')?.dataset.stage ?? null,
      value: Number(document.querySelector('[data-testid="cb-progress"]').getAttribute('aria-valuenow')),
    }));
    if (seen.stage && stages.at(-1) !== seen.stage) stages.push(seen.stage);
    if (values.at(-1) !== seen.value) values.push(seen.value);
    if (seen.state !== 'running') break;
    assert.ok(Date.now() < deadline, `the run did not finish in ${RUN_TIMEOUT_MS} ms (stage ${seen.stage}, ${seen.value}%)`);
    await page.waitForTimeout(50);
  }
  const state = await panelState(page);
  if (state === 'error' && expect !== 'error') assert.fail(`the run failed: ${await text(page, 'cb-error')}`);
  assert.equal(state, expect);
  return { stages, values };
}

/** The layer table as data. */
function readTable(page) {
  return page.$$eval('[data-testid="cb-layer-row"]', (rows) =>
    rows.map((r) => ({
      name: r.dataset.layer,
      isolated: Number(r.dataset.isolated),
      propagated: Number(r.dataset.propagated),
      weightSqnr: Number(r.dataset.weightSqnr),
      quantized: r.dataset.quantized === 'true',
      selected: r.classList.contains('is-selected'),
    })),
  );
}

/** Reads a summary number from data-value. */
const value = async (page, testid, name = 'data-value') => Number(await attr(page, testid, name));

/** Checks the page's summary, table and disagreements against a Node report. */
async function checkReport(page, report, label) {
  const ev = report.evaluation;
  assert.equal(await value(page, 'cb-float-accuracy'), ev.floatAccuracy, `${label}: float accuracy`);
  assert.equal(await value(page, 'cb-int8-accuracy'), ev.quantizedAccuracy, `${label}: int8 accuracy`);
  assert.equal(await value(page, 'cb-agreement'), ev.agreement, `${label}: agreement`);
  assert.ok(Math.abs((await value(page, 'cb-drop')) - 100 * (ev.quantizedAccuracy - ev.floatAccuracy)) < 1e-9, `${label}: change in points`);
  assert.equal(await value(page, 'cb-size', 'data-float-bytes'), report.floatBytes, `${label}: float bytes`);
  assert.equal(await value(page, 'cb-size', 'data-quantized-bytes'), report.quantizedBytes, `${label}: int8 bytes`);
  const parts = await page.$$eval('[data-testid="cb-size-breakdown"] tbody tr', (trs) =>
    trs.map((tr) => ({ part: tr.dataset.part, float: Number(tr.dataset.float), quantized: Number(tr.dataset.quantized) })),
  );
  assert.deepEqual(parts.map((p) => p.part), ['weights', 'biases', 'quantParams', 'otherTensors', 'graph'], `${label}: size parts`);
  for (const p of parts) {
    assert.equal(p.float, report.size.float[p.part], `${label}: float ${p.part}`);
    assert.equal(p.quantized, report.size.quantized[p.part], `${label}: int8 ${p.part}`);
  }
  const rows = await readTable(page);
  assert.deepEqual(
    rows.map((r) => r.name),
    report.layers.map((l) => l.name),
    `${label}: one table row per layer, in order`,
  );
  rows.forEach((row, i) => {
    const l = report.layers[i];
    assert.equal(row.isolated, l.isolated.sqnrDb, `${label}: isolated SQNR of ${l.name}`);
    assert.equal(row.propagated, l.propagated.sqnrDb, `${label}: propagated SQNR of ${l.name}`);
    assert.equal(row.quantized, l.quantized, `${label}: ${l.name} int8 or float`);
  });
  const chart = await page.$$eval('[data-testid="cb-sqnr-layer"]', (cols) => cols.map((c) => ({ name: c.dataset.layer, isolated: Number(c.dataset.isolated) })));
  assert.deepEqual(
    chart.map((c) => c.name),
    report.layers.map((l) => l.name),
    `${label}: one chart column per layer`,
  );
  if (await page.getByTestId('cb-dis-more').isVisible()) await page.getByTestId('cb-dis-more').click();
  const shown = await page.$$eval('[data-testid="cb-disagreement"]', (items) => items.map((li) => ({ index: Number(li.dataset.index), float: Number(li.dataset.float), int8: Number(li.dataset.int8) })));
  assert.deepEqual(
    shown.map((d) => d.index),
    ev.disagreements,
    `${label}: one image per disagreement`,
  );
  for (const d of shown) {
    assert.equal(d.float, ev.floatPredictions[d.index]);
    assert.equal(d.int8, ev.quantizedPredictions[d.index]);
    assert.notEqual(d.float, d.int8);
  }
  const predictions = (await attr(page, 'cb-report', 'data-int8-predictions')).split(',').map(Number);
  assert.deepEqual(predictions, ev.quantizedPredictions, `${label}: the int8 predictions`);
}

/** Argmax of each row. */
function top1(data, classes) {
  const out = [];
  for (let i = 0; i < data.length / classes; i += 1) {
    let best = 0;
    for (let c = 1; c < classes; c += 1) if (data[i * classes + c] > data[i * classes + best]) best = c;
    out.push(best);
  }
  return out;
}

/**
 * Clicks "Download QDQ model", checks the file is the package's export, runs
 * it in onnxruntime-node on the test images and returns the share of images
 * where its top-1 equals the page's int8 top-1.
 */
async function downloadAndRun(page, expected, images, graphOptimizationLevel) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cb-download-onnx').click()]);
  assert.equal(download.suggestedFilename(), 'fashion_cnn.int8.onnx');
  const onnx = new Uint8Array(readFileSync(await download.path()));
  assert.deepEqual(onnx, expected, 'the download is the package’s exportOnnx() of the same model');
  const { test } = images;
  const out = await runOrt(onnx, { input: { data: test.data, shape: test.shape } }, { graphOptimizationLevel });
  const logits = Object.values(out)[0];
  assert.deepEqual(logits.dims, [test.shape[0], 10]);
  const ortTop1 = top1(logits.data, 10);
  const pageTop1 = (await attr(page, 'cb-report', 'data-int8-predictions')).split(',').map(Number);
  return ortTop1.filter((p, i) => p === pageTop1[i]).length / pageTop1.length;
}

describe('calibrate panel', () => {
  test('the bundled CNN: a report that matches the package, layer histograms, keep-in-float, and a QDQ download onnxruntime runs', async () => {
    const ref = await computeReference();
    await withPage(async (page) => {
      assert.equal(await attr(page, 'nav-calibrate', 'href'), '#calibrate');
      assert.equal(await attr(page, 'nav-calibrate', 'aria-current'), 'page');
      assert.equal(await page.title(), 'Calibrate · quantlab');
      await page.getByTestId(`model-card-${CNN.id}`).click();
      assert.equal(await attr(page, `model-card-${CNN.id}`, 'aria-pressed'), 'true');
      await page.getByTestId('cb-samples-200').check();
      assert.equal(await page.getByTestId('cb-samples-200').isChecked(), true);

      // --- calibrate: progress through every stage, then the report ------------
      const t0 = Date.now();
      await page.getByTestId('cb-run').click();
      const { stages, values } = await waitForRun(page);
      const wall = Date.now() - t0;
      const shownMs = await value(page, 'cb-elapsed', 'data-ms');
      console.log(`calibrate: Calibrate → report in ${(wall / 1000).toFixed(1)} s (the page measured ${(shownMs / 1000).toFixed(1)} s); stages ${stages.join(' → ')}`);
      assert.ok(wall < TIME_TO_REPORT_LIMIT_MS, `the report took ${wall} ms`);
      for (const s of ['calibrate', 'evaluate', 'sensitivity']) assert.ok(stages.includes(s), `stage ${s} was shown (${stages})`);
      assert.equal(values.at(-1), 100, 'the bar ends full');
      for (let i = 1; i < values.length; i += 1) assert.ok(values[i] >= values[i - 1], `progress only advances: ${values}`);
      assert.match(await text(page, 'cb-status'), /Done in [\d.]+ s in a Web Worker/);

      await checkReport(page, ref.report, 'calibrated');
      assert.match(await text(page, 'cb-report-settings'), /200 calibration images/);
      assert.match(await text(page, 'cb-graph'), /QLinearConvAct/, 'the integer graph is listed');
      for (const batch of [1, 32]) {
        const floatMs = await value(page, `cb-latency-${batch}`, 'data-float-ms');
        const int8Ms = await value(page, `cb-latency-${batch}`, 'data-int8-ms');
        assert.ok(floatMs > 0 && int8Ms > 0 && Number.isFinite(floatMs / int8Ms), `latency at batch ${batch}: ${floatMs} / ${int8Ms} ms`);
      }

      // --- a layer: its histograms and ranges ----------------------------------
      const first = ref.report.layers[0];
      await page.locator(`[data-testid="cb-layer-row"][data-layer="${first.name}"]`).click();
      assert.equal(await attr(page, 'cb-detail', 'data-layer'), first.name, 'a click on a row selects the layer');
      assert.equal(await page.locator(`[data-testid="cb-sqnr-layer"][data-layer="${first.name}"]`).getAttribute('class').then((c) => c.includes('is-selected')), true, 'the chart marks it');
      for (const hist of ['cb-weight-hist', 'cb-activation-hist']) {
        assert.equal(await page.locator(`[data-testid="${hist}-chart"] canvas`).count(), 1, `${hist} draws a chart`);
        assert.ok(Number(await attr(page, hist, 'data-bins')) > 10, `${hist} has bins`);
      }
      const act = first.outputActivation;
      assert.equal(Number(await attr(page, 'cb-activation-hist', 'data-clip-min')), act.clipMin);
      assert.equal(Number(await attr(page, 'cb-activation-hist', 'data-clip-max')), act.clipMax);
      assert.equal(Number(await attr(page, 'cb-act-scale', 'data-value')), act.scale);
      assert.equal(Number(await attr(page, 'cb-act-zero-point', 'data-value')), act.zeroPoint);
      assert.equal(Number(await attr(page, 'cb-channel-strip', 'data-channels')), first.weight.scale.length, 'one range per output channel');
      // the keyboard: Tab to a layer's button, Enter selects it; Space too
      const last = ref.report.layers.at(-1);
      await page.locator(`[data-testid="cb-layer-row"][data-layer="${last.name}"] [data-testid="cb-layer-select"]`).focus();
      await page.keyboard.press('Enter');
      assert.equal(await attr(page, 'cb-detail', 'data-layer'), last.name, 'Enter selects');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Space');
      assert.equal(await attr(page, 'cb-detail', 'data-layer'), ref.report.layers.at(-2).name, 'Space on the row above selects it');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-pressed')), 'true');

      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}/calibrate-desktop.png`, fullPage: true });
      await page.getByTestId('cb-size-breakdown').screenshot({ path: `${SCREENSHOTS}/calibrate-size-desktop.png` });

      // --- the QDQ download in onnxruntime (its fused int8 conv is inexact on
      // this CPU, so its 'basic' level, which keeps QDQ as written) -------------
      const agreement = await downloadAndRun(page, ref.onnx, ref.images, 'basic');
      console.log(`calibrate: onnxruntime-node (basic) top-1 equals the page's int8 top-1 on ${(100 * agreement).toFixed(1)}% of 1,000 test images`);
      assert.ok(agreement >= ORT_AGREEMENT, `onnxruntime agrees on ${agreement}`);
      // The download says so: 8-bit weights and onnxruntime's fused kernels
      // on CPUs without VNNI, and the 7-bit choice in the settings.
      assert.match(await text(page, 'cb-ort-note'), /without VNNI.*7-bit weights/);
      assert.equal(await page.getByTestId('cb-bits').locator('input[value="7"]').count(), 1);

      // --- sensitivity: keep the most sensitive layer in float, apply ----------
      const sensitive = await page.$$eval('[data-testid="cb-keep-float"]', (boxes) => boxes.map((b) => b.dataset.layer));
      assert.equal(sensitive.length, ref.layers.length, 'one toggle per layer');
      const keep = sensitive[0];
      assert.equal(await page.getByTestId('cb-apply').isDisabled(), true, 'nothing to apply yet');
      await page.locator(`[data-testid="cb-keep-float"][data-layer="${keep}"]`).check();
      await page.getByTestId('cb-apply').click();
      await waitForRun(page);
      assert.deepEqual(JSON.parse(await attr(page, 'cb-report', 'data-keep-float')), [keep]);
      const kept = ref.keptReport(keep);
      await checkReport(page, kept.report, `${keep} in float`);
      assert.notEqual(kept.report.quantizedBytes, ref.report.quantizedBytes, 'the size changed');
      assert.equal(await page.locator(`[data-testid="cb-keep-float"][data-layer="${keep}"]`).isChecked(), true);
      assert.match(await text(page, 'cb-report-settings'), /1 kept in float/);

      // --- downloads with a layer in float ------------------------------------------
      // onnxruntime's level-1 WeightBiasQuantization quantizes a float Conv that
      // sits between a DequantizeLinear and a QuantizeLinear, so 'basic' would
      // not keep the layer in float; with no graph rewrites it runs the file as written.
      const keptAgreement = await downloadAndRun(page, kept.onnx, ref.images, 'disabled');
      console.log(`calibrate: with ${keep} in float, onnxruntime-node (no optimizations) agrees on ${(100 * keptAgreement).toFixed(1)}%`);
      assert.ok(keptAgreement >= ORT_AGREEMENT, `onnxruntime agrees on ${keptAgreement}`);

      const [recipeDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cb-download-recipe').click()]);
      assert.equal(recipeDownload.suggestedFilename(), 'fashion_cnn.int8.recipe.json');
      const recipe = JSON.parse(readFileSync(await recipeDownload.path(), 'utf8'));
      assert.equal(recipe.mode, 'static');
      assert.deepEqual(recipe.keep_float, [keep]);
      assert.ok(recipe.activation_params && Object.keys(recipe.activation_params).length > 0, 'activation_params');
      assert.deepEqual(recipe, kept.recipe, 'the package’s recipe()');
    });
  });

  test('a model that does not take the images, or a bad option, shows a readable message; a fixed run works', async () => {
    await withPage(async (page) => {
      // your own file, through the Model panel's picker: not a Fashion-MNIST classifier
      await page.getByTestId('model-file-input').setInputFiles(`${ROOT}tests/e2e/fixtures/color_input.onnx`);
      assert.equal(await attr(page, 'calibrate-panel', 'data-model'), 'file');
      await page.getByTestId('cb-run').click();
      await waitForRun(page, { expect: 'error' });
      assert.match(await text(page, 'cb-error'), /cannot be calibrated on the bundled Fashion-MNIST images: .*N×1×28×28/);
      await page.getByTestId(`model-card-${CNN.id}`).click();

      await page.getByTestId('cb-observer').selectOption('percentile');
      await page.getByTestId('cb-percentile').fill('30');
      await page.getByTestId('cb-sensitivity').uncheck();
      await page.getByTestId('cb-run').click();
      await waitForRun(page, { expect: 'error' });
      const message = await text(page, 'cb-error');
      assert.match(message, /Calibrating failed: percentile must be in 50\.\.100/, `a readable message: ${message}`);
      assert.equal(await attr(page, 'cb-error', 'role'), 'alert');
      assert.equal(await page.getByTestId('cb-report').isHidden(), true, 'no report');

      await page.getByTestId('cb-percentile').fill('99.9');
      await page.getByTestId(`model-card-${MLP.id}`).click();
      await page.getByTestId('cb-run').click();
      await waitForRun(page);
      assert.equal(await page.getByTestId('cb-error').isHidden(), true, 'the error is cleared');
      assert.match(await text(page, 'cb-report-settings'), /Percentile 99\.9/);
      assert.equal(await page.getByTestId('cb-layer-row').count(), 3, 'the MLP has 3 layers');
      assert.match(await text(page, 'cb-plan'), /not run/);
    });
  });

  test('Cancel stops a run inside the report at once, and the next run works', async () => {
    await withPage(async (page) => {
      await page.getByTestId('cb-run').click();
      await page.waitForFunction(() => ['evaluate', 'sensitivity'].includes(document.querySelector('.cb-stage[data-state="current"]')?.dataset.stage), null, { timeout: RUN_TIMEOUT_MS });
      const t0 = Date.now();
      await page.getByTestId('cb-cancel').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="calibrate-panel"]').dataset.state === 'cancelled', null, { timeout: 5_000 });
      assert.ok(Date.now() - t0 < 2_000, `cancelled in ${Date.now() - t0} ms`);
      assert.match(await text(page, 'cb-status'), /Cancelled/);
      assert.equal(await page.getByTestId('cb-cancel').isHidden(), true);

      await page.getByTestId(`model-card-${MLP.id}`).click();
      await page.getByTestId('cb-mode-dynamic').check();
      await page.getByTestId('cb-run').click();
      await waitForRun(page);
      assert.match(await text(page, 'cb-report-settings'), /dynamic/);
      assert.match(await text(page, 'cb-graph'), /MatMulInteger/);
    });
  });

  test('4-bit weights: int4 in the downloaded file, two codes per byte, and the onnxruntime note says so', async () => {
    await withPage(async (page) => {
      await page.getByTestId('cb-bits-4').check();
      await page.getByTestId('cb-sensitivity').uncheck();
      await page.getByTestId('cb-run').click();
      await waitForRun(page);
      assert.match(await text(page, 'cb-report-settings'), /int4 weights/);
      const weights = page.locator('[data-testid="cb-size-breakdown"] tr[data-part="weights"]');
      const floatBytes = Number(await weights.getAttribute('data-float'));
      const int4Bytes = Number(await weights.getAttribute('data-quantized'));
      assert.equal(int4Bytes, floatBytes / 8, 'float32 → half a byte per weight (fashion_cnn: every layer has an even count)');
      assert.ok((await value(page, 'cb-size')) < 0.22, 'the file is well under a quarter of the float one');
      assert.match(await text(page, 'cb-ort-note'), /int4.*opset 21/);
    });
  });

  test('the 4-bit plan: the page finds the package’s plan, applies it, and the smaller download runs in onnxruntime', async () => {
    // The package in Node, with the options the page sends (MSE weight clipping).
    const ql = await init();
    const images = (await computeReference()).images;
    const model = await ql.loadModel(readFileSync(`${ROOT}models/${CNN.file}`));
    const q = await ql.quantizeModel(model, { ...OPTIONS, weights: { ...OPTIONS.weights, observer: 'mse' }, calibration: images.calib });
    let expected;
    try {
      const lowBits = q.reportSync({ evaluation: images.test, lowBits: true }).lowBits;
      q.setLayerBits(lowBits.plan);
      expected = { lowBits, report: q.reportSync({ evaluation: images.test }), onnx: q.exportOnnx(), recipe: q.recipe() };
    } finally {
      q.delete();
      model.delete();
    }
    const planned = Object.keys(expected.lowBits.plan);
    assert.ok(planned.length > 0, 'the package finds layers for 4 bits');

    await withPage(async (page) => {
      await page.getByTestId('cb-weight-observer-mse').check();
      await page.getByTestId('cb-run').click();
      const { stages } = await waitForRun(page);
      assert.ok(stages.includes('low-bit plan'), `stage low-bit plan was shown (${stages})`);
      assert.match(await text(page, 'cb-report-settings'), /MSE weight clipping/);

      // The card shows the package's search: every layer with its cost and bytes, the plan ticked.
      const rows = await page.$$eval('[data-testid="cb-lowbits-list"] li', (items) =>
        items.map((li) => ({ layer: li.dataset.layer, drop: Number(li.dataset.drop), bytesSaved: Number(li.dataset.bytesSaved), checked: li.querySelector('input').checked })),
      );
      assert.deepEqual(rows.map((r) => r.layer), expected.lowBits.layers.map((l) => l.layer), 'in the search order');
      rows.forEach((r, i) => {
        assert.equal(r.drop, expected.lowBits.layers[i].drop, r.layer);
        assert.equal(r.bytesSaved, expected.lowBits.layers[i].bytesSaved, r.layer);
        assert.equal(r.checked, planned.includes(r.layer), `${r.layer}: ticked as the plan says`);
      });
      const verdict = page.getByTestId('cb-lowbits-plan').locator('.cb-plan__verdict');
      assert.equal(Number(await verdict.getAttribute('data-bytes')), expected.lowBits.bytes);
      assert.equal(await verdict.getAttribute('data-tone'), 'good');
      assert.match(await text(page, 'cb-lowbits-plan'), new RegExp(`${planned.length} layers? can take 4-bit weights`));
      assert.match(await text(page, 'cb-lowbits-status'), /Apply to re-convert with \d+ layers? at 4 bits/);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.getByTestId('cb-lowbits').screenshot({ path: `${SCREENSHOTS}/calibrate-lowbits-desktop.png` });

      // Apply: the report is the package's for the plan.
      await page.getByTestId('cb-lowbits-apply').click();
      await waitForRun(page);
      assert.deepEqual(JSON.parse(await attr(page, 'cb-report', 'data-layer-bits')), expected.lowBits.plan);
      await checkReport(page, expected.report, '4-bit plan');
      assert.equal(expected.report.quantizedBytes, expected.lowBits.bytes);
      assert.equal(expected.report.evaluation.quantizedAccuracy, expected.lowBits.accuracy);
      assert.match(await text(page, 'cb-report-settings'), new RegExp(`${planned.length} with 4-bit weights`));
      assert.match(await text(page, 'cb-lowbits-status'), new RegExp(`report above has ${planned.length} layers? with 4-bit weights`));
      assert.equal(await page.getByTestId('cb-lowbits-apply').isDisabled(), true, 'nothing more to apply');
      assert.match(await text(page, 'cb-ort-note'), /int4.*opset 21/);

      const agreement = await downloadAndRun(page, expected.onnx, images, 'all');
      const ratio = expected.lowBits.bytes / expected.lowBits.floatBytes;
      console.log(`calibrate: 4-bit plan (${planned.length} of ${rows.length} layers): ${expected.lowBits.bytes} bytes (${ratio.toFixed(3)}x of float), ` +
        `${(100 * expected.lowBits.accuracy).toFixed(1)}% (float ${(100 * expected.lowBits.floatAccuracy).toFixed(1)}%); onnxruntime-node (all) agrees on ${(100 * agreement).toFixed(1)}%`);
      assert.ok(agreement >= ORT_AGREEMENT, `onnxruntime agrees on ${agreement}`);
      const [recipeDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cb-download-recipe').click()]);
      assert.deepEqual(JSON.parse(readFileSync(await recipeDownload.path(), 'utf8')), expected.recipe, 'the package’s recipe(), layer_bits included');

      // "No layer at 4 bits" and Apply: back to the 8-bit file.
      await page.getByTestId('cb-lowbits-none').click();
      await page.getByTestId('cb-lowbits-apply').click();
      await waitForRun(page);
      assert.deepEqual(JSON.parse(await attr(page, 'cb-report', 'data-layer-bits')), {});
      assert.equal(await value(page, 'cb-size', 'data-quantized-bytes'), expected.lowBits.quantizedBytes);
    });
  });

  test('on a phone, in the dark scheme, the report fits the screen', async () => {
    await withPage(
      async (page) => {
        await page.getByTestId('cb-run').click();
        await waitForRun(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no horizontal page scroll (${overflow} px)`);
        for (const [testid, what] of [['cb-layer-table', 'layer table'], ['cb-size-table', 'size table']]) {
          const table = await page.evaluate((id) => {
            const wrap = document.querySelector(`[data-testid="${id}"]`).closest('.cb-table-wrap');
            return wrap.scrollWidth - wrap.clientWidth;
          }, testid);
          assert.ok(table <= 0, `the ${what} fits (${table} px too wide)`);
        }
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/calibrate-mobile.png`, fullPage: true });
        await page.getByTestId('cb-size-breakdown').screenshot({ path: `${SCREENSHOTS}/calibrate-size-mobile.png` });
        await page.getByTestId('cb-lowbits').screenshot({ path: `${SCREENSHOTS}/calibrate-lowbits-mobile.png` });
      },
      { viewport: { width: 390, height: 844 }, colorScheme: 'dark' },
    );
  });
});
