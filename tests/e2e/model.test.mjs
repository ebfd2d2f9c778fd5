// Browser tests of the Model panel: the built page (vite preview, which serves
// the bundled models/ copied into build/web/models/) in Debian's Chromium.
// Each bundled model of models/models.json loads, shows its layers with the
// ops the file holds, predicts the sample grid, and evaluates the 1,000 test
// images in the panel's Web Worker to PyTorch's accuracy within 0.1 points.
// A model chosen from disk (file input) or dropped runs the same way; so does
// one with external data (fixtures/); a corrupt file or an unknown operator
// shows the core's message and the page keeps working; the picker works from
// the keyboard. Every test fails on a console error, a page
// error or a failed request.
// Run: node --test tests/e2e/model.test.mjs (QUANTLAB_E2E_BUILD=1 rebuilds the page)
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { collectErrors, launchBrowser } from './browser.mjs';
import { ROOT, startServer } from './server.mjs';

const SCREENSHOTS = `${ROOT}test-results/screenshots`;
const MANIFEST = JSON.parse(readFileSync(`${ROOT}models/models.json`, 'utf8'));
/** Models made for these tests by fixtures/make_model_fixtures.py, and what numpy says of them. */
const FIXTURES = `${ROOT}tests/e2e/fixtures`;
const FIXTURE_EXPECTED = JSON.parse(readFileSync(`${FIXTURES}/expected.json`, 'utf8'));
/** Loading a model and predicting the grid. */
const LOAD_TIMEOUT_MS = 30_000;
/** Evaluating 1,000 images (the CNNs take a few seconds on 2 cores). */
const EVAL_TIMEOUT_MS = 180_000;
/** PyTorch's accuracy on the same images, within one image in 1,000. */
const MATCH_POINTS = 0.1;
/** Ops a model may hold that the core fuses or folds away (not necessarily a row). */
const MAY_VANISH = new Set(['Constant', 'Identity', 'BatchNormalization']);

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

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
    await page.goto(`${server.url}#model`);
    await page.getByTestId('model-panel').waitFor();
    await fn(page);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await page.close();
  }
}

const text = async (page, testid) => (await page.getByTestId(testid).textContent())?.trim();

/** Waits until the panel shows model `key` loaded with its predictions (or an error). */
async function waitForModel(page, key, { samples = true } = {}) {
  await page.waitForFunction(
    ([k, s]) => {
      const panel = document.querySelector('[data-testid="model-panel"]');
      if (panel?.dataset.model !== k) return false;
      if (panel.dataset.state === 'error') return true;
      return panel.dataset.state === 'loaded' && (!s || panel.dataset.samples === 'done');
    },
    [key, samples],
    { timeout: LOAD_TIMEOUT_MS },
  );
  const state = await page.getByTestId('model-panel').getAttribute('data-state');
  if (state === 'error') assert.fail(`the model failed to load: ${await text(page, 'model-error')}`);
}

/** The layer table as data: [{ op, folded, shape, params }]. */
function readLayers(page) {
  return page.$$eval('[data-testid="model-layer-row"]', (rows) =>
    rows.map((r) => ({
      op: r.getAttribute('data-op'),
      folded: r.getAttribute('data-folded') === 'true',
      shape: r.querySelector('[data-testid="model-layer-shape"]').textContent,
      params: Number(r.querySelector('.md-col-params').getAttribute('data-value')),
    })),
  );
}

/** The sample grid as data. */
function readSamples(page) {
  return page.$$eval('[data-testid="model-sample"]', (items) =>
    items.map((li) => ({
      index: Number(li.getAttribute('data-index')),
      predicted: Number(li.getAttribute('data-predicted')),
      label: Number(li.getAttribute('data-label')),
      confidence: Number(li.getAttribute('data-confidence')),
      name: li.querySelector('[data-testid="model-sample-pred"]').textContent,
      wrong: li.classList.contains('is-wrong'),
    })),
  );
}

function checkSamples(samples, classNames) {
  assert.equal(samples.length, 24, 'a grid of 24 test images');
  let right = 0;
  for (const s of samples) {
    assert.ok(Number.isInteger(s.predicted) && s.predicted >= 0 && s.predicted < 10, `prediction ${s.predicted}`);
    assert.ok(s.confidence > 0.1 && s.confidence <= 1, `confidence ${s.confidence}`);
    assert.equal(s.name, classNames[s.predicted], 'the predicted class is named');
    assert.equal(s.wrong, s.predicted !== s.label, 'wrong predictions are marked');
    if (!s.wrong) right += 1;
  }
  // ~90% accurate models: fewer than 16 of 24 right would be a broken run
  assert.ok(right >= 16, `${right} of 24 right`);
}

/** Clicks Evaluate, watches the progress bar reach 100 and returns the shown accuracy. */
async function evaluate(page) {
  const button = page.getByTestId('model-evaluate');
  assert.match(await button.textContent(), /Evaluate on 1,000 test images/);
  await button.click();
  const seen = [];
  const deadline = Date.now() + EVAL_TIMEOUT_MS;
  for (;;) {
    const now = Number(await page.getByTestId('model-eval-progress').getAttribute('aria-valuenow'));
    if (!seen.includes(now)) seen.push(now);
    const state = await page.getByTestId('model-eval').getAttribute('data-state');
    if (state === 'done' || state === 'error') break;
    assert.ok(Date.now() < deadline, `the evaluation did not finish in ${EVAL_TIMEOUT_MS} ms (at ${now}%)`);
    await page.waitForTimeout(40);
  }
  assert.equal(await page.getByTestId('model-eval').getAttribute('data-state'), 'done', `the evaluation failed: ${await text(page, 'model-eval-error')}`);
  const final = Number(await page.getByTestId('model-eval-progress').getAttribute('aria-valuenow'));
  if (seen.at(-1) !== final) seen.push(final);
  assert.equal(seen.at(-1), 100, `progress ends at 100: ${seen}`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `progress only advances: ${seen}`);
  const accuracy = Number(await page.getByTestId('model-accuracy').getAttribute('data-value'));
  const rate = Number(await page.getByTestId('model-rate').getAttribute('data-value'));
  assert.ok(rate > 0 && Number.isFinite(rate), `images/s ${rate}`);
  // the confusion matrix counts every image once
  const cells = await page.$$eval('[data-testid="model-confusion"] tbody tr', (rows) =>
    rows.map((r) => [...r.querySelectorAll('td.md-cm__cell')].map((td) => Number(td.textContent.replace('·', '0')))),
  );
  assert.equal(cells.length, 10);
  assert.equal(cells.flat().reduce((a, b) => a + b, 0), 1000, 'the confusion matrix sums to 1,000');
  const diagonal = cells.reduce((s, row, i) => s + row[i], 0);
  assert.ok(Math.abs(diagonal / 10 - accuracy) < 1e-9, `diagonal ${diagonal} agrees with ${accuracy}%`);
  return { accuracy, seen };
}

function expectedOps(entry) {
  return Object.keys(entry.ops).filter((op) => !MAY_VANISH.has(op));
}

describe('model panel', () => {
  test('is in the navigation, explains ONNX and offers every bundled model', async () => {
    await withPage(async (page) => {
      assert.equal(await page.getByTestId('nav-model').getAttribute('href'), '#model');
      assert.equal(await page.getByTestId('nav-model').getAttribute('aria-current'), 'page');
      assert.equal(await page.title(), 'Model · quantlab');
      assert.match(await page.getByTestId('model-about').textContent(), /Open Neural Network Exchange/);
      assert.match(await page.getByTestId('model-layers').textContent(), /share of FLOPs says where the time goes/);
      for (const entry of MANIFEST.models) {
        const card = page.getByTestId(`model-card-${entry.id}`);
        assert.match(await card.textContent(), new RegExp(entry.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      }
      // the first model opens by itself
      await waitForModel(page, MANIFEST.models[0].id);
      assert.equal(await page.getByTestId(`model-card-${MANIFEST.models[0].id}`).getAttribute('aria-pressed'), 'true');
    });
  });

  for (const entry of MANIFEST.models) {
    test(`${entry.file}: layers, predictions and an evaluation matching PyTorch within ${MATCH_POINTS} points`, async () => {
      await withPage(async (page) => {
        await page.getByTestId(`model-card-${entry.id}`).click();
        await waitForModel(page, entry.id);

        // the layer table: the file's ops, shapes with the batch as N, totals
        const layers = await readLayers(page);
        assert.ok(layers.length > 0, 'the table has rows');
        const ops = new Set(layers.map((l) => l.op));
        for (const op of expectedOps(entry)) assert.ok(ops.has(op), `${op} is in the table (${[...ops]})`);
        const perImage = layers.filter((l) => !l.folded);
        assert.ok(perImage.length > 0);
        assert.match(perImage.at(-1).shape, /^N×10$/, 'the last layer gives N×10 scores');
        const params = Number(await page.getByTestId('model-params').getAttribute('data-value'));
        assert.ok(params >= entry.parameters, `${params} parameters in the file ≥ PyTorch's ${entry.parameters} (plus BatchNorm statistics)`);
        assert.equal(layers.reduce((s, l) => s + l.params, 0) <= params, true, 'node parameters add up to at most the total');
        assert.equal(Number(await page.getByTestId('model-size').getAttribute('data-value')), entry.file_size_bytes);
        const flops = Number(await page.getByTestId('model-flops').getAttribute('data-value'));
        assert.ok(flops > 2 * entry.parameters * 0.5, `FLOPs per image ${flops}`);
        const shares = await page.$$eval('[data-testid="model-layer-row"] .md-col-flops', (tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
        assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-6, 'FLOPs shares add up to 100%');

        // the grid
        checkSamples(await readSamples(page), entry.class_names);
        assert.match(await text(page, 'model-samples-status'), /^\d+ of 24 right/);

        // evaluation in the worker
        const { accuracy } = await evaluate(page);
        const reference = entry.accuracy.fp32_bundled_test;
        assert.ok(Math.abs(accuracy - reference) <= MATCH_POINTS + 1e-9, `quantlab ${accuracy}% vs PyTorch ${reference}%`);
        assert.equal(await page.getByTestId('model-verdict').getAttribute('data-tone'), 'good');
        assert.match(await text(page, 'model-eval-status'), /Done: 1,000 images in a Web Worker/);

        // shuffle shows other images, still predicted
        const before = (await readSamples(page)).map((s) => s.index).join();
        await page.getByTestId('model-shuffle').click();
        await page.waitForFunction((b) => [...document.querySelectorAll('[data-testid="model-sample"]')].map((li) => li.dataset.index).join() !== b, before, { timeout: LOAD_TIMEOUT_MS });
        await page.waitForFunction(() => !document.querySelector('[data-testid="model-shuffle"]').disabled, null, { timeout: LOAD_TIMEOUT_MS });
        const shuffled = await readSamples(page);
        assert.equal(shuffled.length, 24);
        for (const s of shuffled) assert.equal(s.name, entry.class_names[s.predicted]);

        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/model-${entry.id}-desktop.png`, fullPage: true });
      });
    });
  }

  test('a model chosen from disk and one dropped on the zone run like the bundled ones', async () => {
    const entry = MANIFEST.models.at(-1);
    await withPage(async (page) => {
      await waitForModel(page, MANIFEST.models[0].id);
      // the file input behind "Choose files…"
      await page.getByTestId('model-file-input').setInputFiles(`${ROOT}models/${entry.file}`);
      await waitForModel(page, 'file');
      assert.equal(await text(page, 'model-file-name'), entry.file);
      for (const card of MANIFEST.models) assert.equal(await page.getByTestId(`model-card-${card.id}`).getAttribute('aria-pressed'), 'false');
      const ops = new Set((await readLayers(page)).map((l) => l.op));
      for (const op of expectedOps(entry)) assert.ok(ops.has(op), `${op} is in the table`);
      checkSamples(await readSamples(page), entry.class_names);
      const { accuracy } = await evaluate(page);
      assert.ok(Math.abs(accuracy - entry.accuracy.fp32_bundled_test) <= MATCH_POINTS + 1e-9, `from disk: ${accuracy}% vs ${entry.accuracy.fp32_bundled_test}%`);

      // a drop: a DataTransfer holding the first model's bytes
      const dropped = MANIFEST.models[0];
      const base64 = readFileSync(`${ROOT}models/${dropped.file}`).toString('base64');
      const transfer = await page.evaluateHandle(
        ([b64, name]) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
          return dt;
        },
        [base64, dropped.file],
      );
      await page.getByTestId('model-drop').dispatchEvent('dragenter', { dataTransfer: transfer });
      await page.getByTestId('model-drop').dispatchEvent('drop', { dataTransfer: transfer });
      await page.waitForFunction((name) => document.querySelector('[data-testid="model-file-name"]').textContent === name, dropped.file);
      await waitForModel(page, 'file');
      checkSamples(await readSamples(page), dropped.class_names);
      assert.equal(await page.getByTestId('model-evaluate').isEnabled(), true);
    });
  });

  test('a corrupt .onnx shows the core’s message, and the page keeps working', async () => {
    await withPage(async (page) => {
      await waitForModel(page, MANIFEST.models[0].id);
      const junk = Buffer.from('this is not an ONNX model, just some text pretending to be one\n'.repeat(8));
      await page.getByTestId('model-file-input').setInputFiles({ name: 'corrupt.onnx', mimeType: 'application/octet-stream', buffer: junk });
      await page.getByTestId('model-error').waitFor({ state: 'visible', timeout: LOAD_TIMEOUT_MS });
      const message = await text(page, 'model-error');
      assert.ok(message.length > 10 && !/undefined|\[object|^\d+$/.test(message), `a readable message: ${message}`);
      assert.equal(await page.getByTestId('model-error').getAttribute('role'), 'alert');
      assert.equal(await page.getByTestId('model-panel').getAttribute('data-state'), 'error');
      assert.equal(await page.getByTestId('model-evaluate').isDisabled(), true);
      assert.equal(await page.getByTestId('model-layer-row').count(), 0, 'no stale layer table');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}/model-error.png` });

      // an empty file: also a message
      await page.getByTestId('model-file-input').setInputFiles({ name: 'empty.onnx', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) });
      await page.waitForFunction((m) => {
        const el = document.querySelector('[data-testid="model-error"]');
        return !el.hidden && el.textContent.trim() !== m && document.querySelector('[data-testid="model-file-name"]').textContent === 'empty.onnx';
      }, message, { timeout: LOAD_TIMEOUT_MS }).catch(() => {});
      assert.equal(await page.getByTestId('model-error').isVisible(), true);

      // the worker still works: a bundled model loads and predicts
      const entry = MANIFEST.models[1] ?? MANIFEST.models[0];
      await page.getByTestId(`model-card-${entry.id}`).click();
      await waitForModel(page, entry.id);
      assert.equal(await page.getByTestId('model-error').isVisible(), false, 'the error is cleared');
      checkSamples(await readSamples(page), entry.class_names);
    });
  });

  test('an external-data model: without its weights file the message names it; with it, it runs', async () => {
    const expected = FIXTURE_EXPECTED.nearest_centroid;
    await withPage(async (page) => {
      await waitForModel(page, MANIFEST.models[0].id);
      await page.getByTestId('model-file-input').setInputFiles(`${FIXTURES}/nearest_centroid.onnx`);
      await page.waitForFunction(() => document.querySelector('[data-testid="model-panel"]').dataset.state === 'error', null, { timeout: LOAD_TIMEOUT_MS });
      assert.match(await text(page, 'model-error'), /nearest_centroid\.weights/, 'the missing file is named');

      await page.getByTestId('model-file-input').setInputFiles([`${FIXTURES}/nearest_centroid.onnx`, `${FIXTURES}/nearest_centroid.weights`]);
      await waitForModel(page, 'file');
      assert.equal(await text(page, 'model-file-name'), 'nearest_centroid.onnx + nearest_centroid.weights');
      assert.deepEqual((await readLayers(page)).map((l) => l.op), ['Flatten', 'Gemm']);
      assert.match(await text(page, 'model-size'), /external/);
      assert.equal(await page.getByTestId('model-sample').count(), 24);
      const { accuracy } = await evaluate(page);
      assert.ok(Math.abs(accuracy - expected.accuracy_bundled_test) <= MATCH_POINTS + 1e-9, `quantlab ${accuracy}% vs numpy ${expected.accuracy_bundled_test}%`);
      assert.equal(await page.getByTestId('model-verdict').count(), 0, 'no PyTorch reference for a file of your own');
    });
  });

  test('a model with an unknown operator shows the core’s message naming it', async () => {
    await withPage(async (page) => {
      await waitForModel(page, MANIFEST.models[0].id);
      await page.getByTestId('model-file-input').setInputFiles(`${FIXTURES}/unsupported_op.onnx`);
      await page.waitForFunction(() => document.querySelector('[data-testid="model-panel"]').dataset.state === 'error', null, { timeout: LOAD_TIMEOUT_MS });
      assert.match(await text(page, 'model-error'), /Frobnicate/);
    });
  });

  test('a model that does not take 28×28 images shows its layers and says why there are no predictions', async () => {
    await withPage(async (page) => {
      await waitForModel(page, MANIFEST.models[0].id);
      await page.getByTestId('model-file-input').setInputFiles(`${FIXTURES}/color_input.onnx`);
      await waitForModel(page, 'file', { samples: false });
      assert.deepEqual((await readLayers(page)).map((l) => l.op), ['GlobalAveragePool', 'Flatten']);
      assert.match(await text(page, 'model-input'), /image float32 N×3×32×32/);
      await page.waitForFunction(() => /N×1×28×28/.test(document.querySelector('[data-testid="model-samples-status"]').textContent));
      assert.equal(await page.getByTestId('model-sample').count(), 0, 'no grid');
      assert.equal(await page.getByTestId('model-evaluate').isDisabled(), true);
      assert.match(await text(page, 'model-eval-status'), /N×1×28×28/);
    });
  });

  test('keyboard: Tab reaches the model cards and the file button, Enter selects', async () => {
    await withPage(async (page) => {
      await waitForModel(page, MANIFEST.models[0].id);
      const target = MANIFEST.models.at(-1);
      await page.getByTestId('nav-model').focus();
      const reached = [];
      for (let i = 0; i < 40; i += 1) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
        reached.push(id);
        if (id === `model-card-${target.id}`) break;
      }
      assert.equal(reached.at(-1), `model-card-${target.id}`, `Tab order: ${reached.join(', ')}`);
      for (const entry of MANIFEST.models) assert.ok(reached.includes(`model-card-${entry.id}`), `${entry.id} is reachable by Tab`);
      await page.keyboard.press('Enter');
      await waitForModel(page, target.id);
      assert.equal(await page.getByTestId(`model-card-${target.id}`).getAttribute('aria-pressed'), 'true');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'model-choose', 'the file button comes next');
      // the evaluate button is reachable and Enter starts it
      const evaluateButton = page.getByTestId('model-evaluate');
      await evaluateButton.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => ['running', 'done'].includes(document.querySelector('[data-testid="model-eval"]').dataset.state));
    });
  });

  test('on a phone, light and dark, the panel fits the screen', async () => {
    for (const colorScheme of ['light', 'dark']) {
      await withPage(
        async (page) => {
          const entry = MANIFEST.models.find((m) => m.id === 'cnn') ?? MANIFEST.models[0];
          await page.getByTestId(`model-card-${entry.id}`).click();
          await waitForModel(page, entry.id);
          await evaluate(page);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `no horizontal page scroll (${overflow} px)`);
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOTS}/model-phone-${colorScheme}.png`, fullPage: true });
        },
        { viewport: { width: 375, height: 812 }, colorScheme },
      );
    }
  });

  test('desktop in the dark scheme', async () => {
    await withPage(
      async (page) => {
        await waitForModel(page, MANIFEST.models[0].id);
        await evaluate(page);
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/model-desktop-dark.png`, fullPage: true });
      },
      { colorScheme: 'dark' },
    );
  });
});
