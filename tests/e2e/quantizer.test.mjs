// Browser tests of the Quantizer panel: the built page (vite preview) in
// Debian's Chromium. The expected values come from the quantlab package run
// here in Node on the same data: the page's generator (web/src/shared/datagen.js)
// is plain JS, so the test rebuilds exactly the float32 values the page shows.
// Every test fails on a console error, a page error or a failed request.
// Run: node --test tests/e2e/quantizer.test.mjs (QUANTLAB_E2E_BUILD=1 rebuilds the page)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { collectErrors, launchBrowser } from './browser.mjs';
import { ROOT, startServer } from './server.mjs';

const { init } = await import(pathToFileURL(`${ROOT}dist/quantlab.js`).href);
const { generate } = await import(pathToFileURL(`${ROOT}web/src/shared/datagen.js`).href);
const { CALIBRATION_BATCH, OBSERVERS } = await import(pathToFileURL(`${ROOT}web/src/panels/quantizer/analysis.js`).href);

const SCREENSHOTS = `${ROOT}test-results/screenshots`;
/** How long a UI update may take before an expectation fails (100k values take ~0.2 s). */
const UPDATE_TIMEOUT_MS = 10_000;
/** The page's defaults (web/src/panels/quantizer.js). */
const DEFAULTS = { distribution: 'normal', seed: 1, size: 10_000, bits: 4, codes: 'default', narrowRange: false, observer: 'minmax', percentile: 99.9, rounding: 'half_even' };
/**
 * Longest main-thread task allowed while the slider moves at 100k values. An
 * analysis takes 150–250 ms there, so a longer task would mean it ran on the
 * main thread; drawing one result takes 5–20 ms, and up to ~70 ms was measured
 * on a loaded 2-core machine (the worker competes for the CPU).
 */
const LONG_TASK_LIMIT_MS = 150;
/** Drawing one result on the main thread (measured 5–20 ms). */
const RENDER_LIMIT_MS = 100;

let server;
let browser;
/** @type {import('../../dist/quantlab.js').Quantlab} */
let ql;

before(async () => {
  ql = await init();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// --- the reference, computed in Node --------------------------------------------

/** Options as the page builds them for one scheme. */
function quantOptions(o, scheme, observer = o.observer) {
  const options = { scheme, bits: o.bits, narrowRange: o.narrowRange, observer, percentile: o.percentile, rounding: o.rounding };
  if (o.codes === 'signed') options.signed = true;
  if (o.codes === 'unsigned') options.signed = false;
  return options;
}

/** Parameters, error metrics and codes used of a scheme, with the observer fed in the page's batches. */
function reference(data, o, scheme, observer = o.observer) {
  const obs = ql.createObserver(quantOptions(o, scheme, observer));
  for (let i = 0; i < data.length; i += CALIBRATION_BATCH) obs.observe(data.subarray(i, i + CALIBRATION_BATCH));
  const params = obs.params();
  obs.delete();
  const q = ql.quantize(data, params).data;
  const xhat = ql.dequantize(q, params).data;
  return { params, stats: ql.errorStats(data, xhat), codesUsed: new Set(q).size };
}

const dataOf = (o) => generate({ distribution: o.distribution, seed: o.seed, size: o.size });

// --- page helpers ----------------------------------------------------------------

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
    await page.goto(`${server.url}#quantizer`);
    await ready(page);
    await fn(page);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await page.close();
  }
}

/** Waits until the panel shows a result and no update is pending. */
async function ready(page) {
  await page.waitForFunction(
    () => {
      const panel = document.querySelector('[data-testid="quantizer-panel"]');
      return panel && !panel.classList.contains('is-loading') && !panel.classList.contains('is-busy');
    },
    null,
    { timeout: UPDATE_TIMEOUT_MS },
  );
}

/** Polls until `read()` passes `check` (returns the last value; fails with `message`). */
async function eventually(page, read, check, message) {
  const deadline = Date.now() + UPDATE_TIMEOUT_MS;
  let value;
  for (;;) {
    value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) break;
    await page.waitForTimeout(30);
  }
  assert.fail(`${message}: last value ${JSON.stringify(value)}`);
}

const dataValue = (page, testid) => page.getByTestId(testid).getAttribute('data-value');
const text = async (page, testid) => (await page.getByTestId(testid).textContent())?.trim();

/** What the page shows for a scheme, as numbers (null while not rendered). */
function readScheme(page, scheme) {
  return page.evaluate((scheme) => {
    const get = (id, attr = 'data-value') => document.querySelector(`[data-testid="${id}"]`)?.getAttribute(attr) ?? null;
    return {
      scale: Math.fround(Number(get(`scale-${scheme}`))),
      zeroPoint: Number(get(`zero-point-${scheme}`)),
      qmin: Number(get(`grid-${scheme}`, 'data-qmin')),
      qmax: Number(get(`grid-${scheme}`, 'data-qmax')),
      sqnrDb: Number(get(`sqnr-${scheme}`)),
      codesUsed: Number(get(`codes-used-${scheme}`)),
    };
  }, scheme);
}

/** Waits until the page shows the reference's scale, zero point, grid, SQNR and codes used for `scheme`. */
async function expectScheme(page, scheme, ref, label) {
  const what = `${label}: ${scheme}`;
  const expected = {
    scale: ref.params.scale[0],
    zeroPoint: ref.params.zeroPoint[0],
    qmin: ref.params.qmin,
    qmax: ref.params.qmax,
    sqnrDb: ref.stats.sqnrDb,
    codesUsed: ref.codesUsed,
  };
  const same = (shown) => Object.keys(expected).every((k) => shown[k] === expected[k]);
  const shown = await eventually(page, () => readScheme(page, scheme), same, `${what} should show ${JSON.stringify(expected)}`);
  assert.deepEqual(shown, expected, what);
  assert.equal(await text(page, `sqnr-${scheme}`), `${ref.stats.sqnrDb.toFixed(2)} dB`, `${what} SQNR text`);
  // the formulas show the same numbers
  assert.equal(Math.fround(Number(await dataValue(page, `formula-scale-value-${scheme}`))), expected.scale, `${what} scale in the formula`);
  assert.equal(Number(await dataValue(page, `formula-zero-point-value-${scheme}`)), expected.zeroPoint, `${what} zero point in the formula`);
  assert.equal(await dataValue(page, `formula-grid-value-${scheme}`), `${expected.qmin},${expected.qmax}`, `${what} grid in the formula`);
}

async function expectBoth(page, options, label) {
  const data = dataOf(options);
  for (const scheme of ['symmetric', 'asymmetric']) await expectScheme(page, scheme, reference(data, options, scheme), label);
  await ready(page);
}

/** Sets the bit-width slider with the keyboard (Home = 2 bits, then ArrowRight). */
async function setBits(page, bits) {
  const slider = page.getByTestId('quantizer-bits');
  await slider.focus();
  await page.keyboard.press('Home');
  for (let b = 2; b < bits; b += 1) await page.keyboard.press('ArrowRight');
  assert.equal(await slider.inputValue(), String(bits));
}

// --- tests -----------------------------------------------------------------------

describe('Quantizer panel', () => {
  test('is a live nav entry and shows both schemes of the default data with the core’s scale, zero point and SQNR', async () => {
    await withPage(async (page) => {
      const nav = page.getByTestId('nav-quantizer');
      assert.equal(await nav.getAttribute('href'), '#quantizer');
      assert.equal(await nav.getAttribute('aria-current'), 'page');
      assert.equal(await page.title(), 'Quantizer · quantlab');
      await expectBoth(page, DEFAULTS, 'defaults');

      // min-max through the observer in batches equals quantParams / fakeQuantize on the whole tensor
      const data = dataOf(DEFAULTS);
      for (const scheme of ['symmetric', 'asymmetric']) {
        const opts = quantOptions(DEFAULTS, scheme);
        const direct = ql.quantParams(data, opts);
        assert.equal(Math.fround(Number(await dataValue(page, `scale-${scheme}`))), direct.scale[0], `${scheme}: quantParams scale`);
        const fq = ql.fakeQuantize(data, opts);
        assert.equal(Number(await dataValue(page, `sqnr-${scheme}`)), ql.errorStats(data, fq.data).sqnrDb, `${scheme}: fakeQuantize SQNR`);
      }
      assert.equal(await text(page, 'grid-name-symmetric'), 'int4 · z = 0');
      assert.match(await text(page, 'grid-name-asymmetric'), /^uint4 · z = \d+$/);
      assert.match(await text(page, 'data-summary'), /^10,000 values · min −3\.\d+ · max 4\.\d+/);
      assert.equal(await page.getByTestId('quantizer-status').getAttribute('data-mode'), 'worker', 'the analysis runs in a Web Worker');

      // the worked example: the default x is the first non-zero sample
      const x = data.find((v) => v !== 0);
      assert.equal(Math.fround(Number(await page.getByTestId('quantizer-example').inputValue())), x);
      for (const scheme of ['symmetric', 'asymmetric']) {
        const { params } = reference(data, DEFAULTS, scheme);
        const q = ql.quantize([x], params).data[0];
        assert.equal(Number(await dataValue(page, `example-q-${scheme}`)), q, `${scheme}: q of the example`);
        assert.equal(Math.fround(Number(await dataValue(page, `example-xhat-${scheme}`))), ql.dequantize([q], params).data[0], `${scheme}: x̂ of the example`);
        assert.match(await text(page, `formula-error-${scheme}`), /within s\/2/);
      }
    });
  });

  test('the bit-width slider (8, then 2 bits) updates every scheme to the core’s values', async () => {
    await withPage(async (page) => {
      await setBits(page, 8);
      await expectText(page, 'quantizer-bits-value', '8 bits · 256 codes');
      await expectBoth(page, { ...DEFAULTS, bits: 8 }, '8 bits');
      assert.equal(await text(page, 'grid-name-symmetric'), 'int8 · z = 0');
      await setBits(page, 2);
      await expectBoth(page, { ...DEFAULTS, bits: 2 }, '2 bits');
      assert.equal(await page.getByTestId('quantizer-bits').getAttribute('aria-valuetext'), '2 bits, 4 codes');
    });
  });

  test('scheme options: unsigned and signed codes, narrow range', async () => {
    await withPage(async (page) => {
      await page.getByTestId('quantizer-signed').selectOption('unsigned');
      await expectBoth(page, { ...DEFAULTS, codes: 'unsigned' }, 'unsigned');
      assert.equal(await text(page, 'grid-name-symmetric'), 'uint4 · z = 8', 'a symmetric uint grid has z = 2^(b-1) (Q8)');
      await page.getByTestId('quantizer-signed').selectOption('signed');
      await page.getByTestId('quantizer-narrow').check();
      await expectBoth(page, { ...DEFAULTS, codes: 'signed', narrowRange: true }, 'signed, narrow');
      assert.equal(await text(page, 'grid-symmetric'), '−7 … 7');
      assert.match(await text(page, 'formula-grid-symmetric'), /narrow range/);
    });
  });

  test('observer and rounding options: percentile 99.5 with half-away rounding, then stochastic', async () => {
    await withPage(async (page) => {
      await page.getByTestId('quantizer-observer').selectOption('percentile');
      await page.getByTestId('quantizer-percentile').fill('99.5');
      await page.getByTestId('quantizer-rounding').selectOption('half_away');
      await expectBoth(page, { ...DEFAULTS, observer: 'percentile', percentile: 99.5, rounding: 'half_away' }, 'percentile 99.5, half away');
      assert.match(await text(page, 'formula-range-symmetric'), /percentile observer/);
      await page.getByTestId('quantizer-rounding').selectOption('stochastic');
      await expectBoth(page, { ...DEFAULTS, observer: 'percentile', percentile: 99.5, rounding: 'stochastic' }, 'stochastic');

      // a percentile the core rejects: its message, then recovery
      await page.getByTestId('quantizer-percentile').fill('40');
      await expectText(page, 'quantizer-options-error', /percentile must be in 50\.\.100/);
      assert.equal(await page.getByTestId('quantizer-options-error').getAttribute('role'), 'alert');
      await page.getByTestId('quantizer-percentile').fill('99.9');
      await expectBoth(page, { ...DEFAULTS, observer: 'percentile', rounding: 'stochastic' }, 'percentile 99.9');
      assert.equal(await page.getByTestId('quantizer-options-error').isVisible(), false);
    });
  });

  test('observer race on normal data with outliers at 4 bits: the core’s SQNRs, and the histogram observers beat min-max', async () => {
    await withPage(async (page) => {
      const options = { ...DEFAULTS, distribution: 'outliers' };
      const data = dataOf(options);
      await page.getByTestId('quantizer-distribution').selectOption('outliers');
      for (const scheme of ['symmetric', 'asymmetric']) {
        if (scheme === 'asymmetric') await page.getByTestId('race-scheme-asymmetric').check();
        const sqnr = {};
        for (const observer of OBSERVERS) {
          const ref = reference(data, options, scheme, observer);
          const shown = await eventually(
            page,
            () => dataValue(page, `race-sqnr-${observer}`),
            (v) => Number(v) === ref.stats.sqnrDb,
            `${scheme} race: ${observer} SQNR should be ${ref.stats.sqnrDb}`,
          );
          sqnr[observer] = Number(shown);
          assert.ok(Number.isFinite(sqnr[observer]), `${observer}: finite SQNR`);
          assert.match(await text(page, `race-${observer}`), /dB/);
        }
        for (const observer of ['percentile', 'mse', 'entropy']) {
          assert.ok(sqnr[observer] > sqnr.minmax, `${scheme}: ${observer} (${sqnr[observer]} dB) beats min-max (${sqnr.minmax} dB) on outliers at 4 bits`);
        }
        const best = OBSERVERS.reduce((a, b) => (sqnr[b] > sqnr[a] ? b : a));
        assert.equal(await page.getByTestId(`race-${best}`).getAttribute('data-best'), 'true', `${scheme}: ${best} is highlighted`);
        assert.equal(await page.locator('[data-testid^="race-"][data-best="true"]').count(), 1, 'one best row');
      }
    });
  });

  test('post-ReLU data: asymmetric wins, and the symmetric grid leaves half its codes unused', async () => {
    await withPage(async (page) => {
      await page.getByTestId('lesson-try-asymmetric').click();
      const options = { ...DEFAULTS, distribution: 'relu' };
      await expectBoth(page, options, 'post-ReLU');
      assert.equal(await page.getByTestId('quantizer-distribution').inputValue(), 'relu');
      assert.match(await text(page, 'verdict'), /^Asymmetric wins by \d+\.\d\d dB .*symmetric leaves \d+ of its 16 codes unused/);
      assert.ok(Number(await dataValue(page, 'codes-used-symmetric')) <= 9, 'symmetric uses at most the non-negative half (+1)');
      assert.ok(Number(await dataValue(page, 'codes-used-asymmetric')) >= 14, 'asymmetric uses (almost) every code');
      assert.equal(await page.getByTestId('winner-asymmetric').isVisible(), true);
      assert.equal(await page.getByTestId('winner-symmetric').isVisible(), false);
      assert.equal(await text(page, 'grid-name-asymmetric'), 'uint4 · z = 0');
    });
  });

  test('pasted numbers are quantized; bad text shows an error and keeps the last result', async () => {
    await withPage(async (page) => {
      await page.getByTestId('quantizer-source-paste').check();
      await expectText(page, 'quantizer-data-error', /Paste some numbers/);
      await setBits(page, 8);
      await page.getByTestId('quantizer-paste').fill('-1, 0, 3');
      // the package's doc example: scale 0.0156862..., zero point 64
      const doc = ql.quantParams(new Float32Array([-1, 0, 3]), { scheme: 'asymmetric', bits: 8 });
      await eventually(page, () => dataValue(page, 'scale-asymmetric'), (v) => Math.fround(Number(v)) === doc.scale[0], 'scale of [-1, 0, 3]');
      assert.equal(Number(await dataValue(page, 'zero-point-asymmetric')), 64);
      const pasted = { ...DEFAULTS, bits: 8 };
      const data = new Float32Array([-1, 0, 3]);
      await expectScheme(page, 'symmetric', reference(data, pasted, 'symmetric'), 'pasted');
      await expectText(page, 'data-summary', /^3 values · min −1 · max 3/);

      await page.getByTestId('quantizer-paste').fill('1, two, 3');
      await expectText(page, 'quantizer-data-error', "!item 2 'two' is not a number.");
      assert.equal(await page.getByTestId('quantizer-data-error').getAttribute('role'), 'alert');
      assert.equal(await page.getByTestId('quantizer-paste').getAttribute('aria-invalid'), 'true');
      await page.getByTestId('quantizer-paste').fill('0.5 inf');
      await expectText(page, 'quantizer-data-error', /item 2 is inf: NaN and infinity have no integer code/);
      await page.waitForTimeout(300);
      assert.equal(Number(await dataValue(page, 'zero-point-asymmetric')), 64, 'the last good result stays');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.locator('.qz-controls').screenshot({ path: `${SCREENSHOTS}/quantizer-paste-error.png` });

      // a NumPy-style list with new lines works
      await page.getByTestId('quantizer-paste').fill('[ 0.5  1.5\n -2.  ]');
      const list = new Float32Array([0.5, 1.5, -2]);
      await expectScheme(page, 'asymmetric', reference(list, pasted, 'asymmetric'), 'numpy list');
      assert.equal(await page.getByTestId('quantizer-data-error').isVisible(), false);
    });
  });

  test('the example value: typing one outside the grid shows clamping to q_max', async () => {
    await withPage(async (page) => {
      await page.getByTestId('quantizer-example').fill('100');
      await eventually(page, () => dataValue(page, 'example-q-symmetric'), (v) => v === '7', 'x = 100 clamps to q_max = 7');
      assert.match(await text(page, 'formula-quantize-symmetric'), /\(clamped\)/);
      assert.match(await text(page, 'formula-error-symmetric'), /outside the grid and was clamped/);
      assert.equal(await dataValue(page, 'example-q-asymmetric'), '15');
      await page.getByTestId('quantizer-example').fill('abc');
      await expectText(page, 'quantizer-example-error', /'abc' is not a finite float32 number/);
      await page.getByTestId('quantizer-example-reset').click();
      assert.equal(await page.getByTestId('quantizer-example-error').isVisible(), false);
    });
  });

  test('stays responsive at 100k samples: the analysis runs in a worker, no long main-thread task', async (t) => {
    await withPage(async (page) => {
      await page.getByTestId('quantizer-size').selectOption('100000');
      await expectText(page, 'data-summary', /^100,000 values/);
      await ready(page);
      await page.evaluate(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
      });
      // drag-like: 2 → 8 bits, one step every 30 ms
      const slider = page.getByTestId('quantizer-bits');
      await slider.focus();
      await page.keyboard.press('Home');
      const started = Date.now();
      for (let b = 3; b <= 8; b += 1) {
        await page.keyboard.press('ArrowRight');
        await page.waitForTimeout(30);
      }
      await expectBoth(page, { ...DEFAULTS, size: 100_000, bits: 8 }, '100k values, 8 bits');
      const settled = Date.now() - started;
      const status = page.getByTestId('quantizer-status');
      const computeMs = Number(await status.getAttribute('data-compute-ms'));
      const renderMs = Number(await status.getAttribute('data-render-ms'));
      const longTasks = await page.evaluate(() => window.__longTasks);
      t.diagnostic(`100k values: analysis ${computeMs.toFixed(0)} ms in the worker, render ${renderMs.toFixed(1)} ms, settled ${settled} ms after the first key, long tasks ${JSON.stringify(longTasks.map(Math.round))}`);
      assert.equal(await status.getAttribute('data-mode'), 'worker');
      assert.ok(renderMs < RENDER_LIMIT_MS, `rendering took ${renderMs} ms`);
      assert.ok(longTasks.every((d) => d < LONG_TASK_LIMIT_MS), `main-thread tasks of ${longTasks} ms`);
    });
  });

  test('keyboard: Tab reaches every control, and focus is visible', async () => {
    await withPage(async (page) => {
      await page.getByTestId('quantizer-source-generate').focus();
      const reached = new Set();
      const unringed = [];
      for (let i = 0; i < 40; i += 1) {
        const info = await page.evaluate(() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return { testid: el?.getAttribute('data-testid') ?? el?.tagName, outline: style.outlineStyle, tag: el.tagName, type: el.type };
        });
        if (info.tag === 'BODY') break; // past the last control
        reached.add(info.testid);
        // radios are drawn as segmented buttons: their ring is on the label's span
        if (info.type !== 'radio' && info.outline === 'none') unringed.push(info.testid);
        await page.keyboard.press('Tab');
      }
      for (const id of ['quantizer-source-generate', 'quantizer-distribution', 'quantizer-seed', 'quantizer-reseed', 'quantizer-size', 'quantizer-bits', 'quantizer-signed', 'quantizer-narrow', 'quantizer-rounding', 'quantizer-observer', 'quantizer-percentile', 'quantizer-log', 'quantizer-example', 'quantizer-example-reset', 'race-scheme-symmetric']) {
        assert.ok(reached.has(id), `Tab reaches ${id}`);
      }
      assert.deepEqual(unringed, [], 'every focused control has an outline');
      // the segmented control switches with arrow keys
      await page.getByTestId('race-scheme-symmetric').focus();
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.getByTestId('race-scheme-asymmetric').isChecked(), true);
      assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle), 'solid');
    });
  });
});

/** Polls a test id's text until `expected` matches (string: equal, RegExp: match). */
async function expectText(page, testid, expected) {
  await eventually(
    page,
    () => text(page, testid),
    (actual) => (expected instanceof RegExp ? expected.test(actual ?? '') : actual === expected),
    `text of ${testid} should be ${expected}`,
  );
}

describe('Quantizer layout', () => {
  mkdirSync(SCREENSHOTS, { recursive: true });

  test('desktop 1440x900: screenshots', async () => {
    await withPage(async (page) => {
      await expectBoth(page, DEFAULTS, 'defaults');
      await page.screenshot({ path: `${SCREENSHOTS}/quantizer-desktop.png` });
      await page.screenshot({ path: `${SCREENSHOTS}/quantizer-desktop-full.png`, fullPage: true });
    }, { viewport: { width: 1440, height: 900 } });
  });

  test('desktop 1280x900, post-ReLU at 4 bits: screenshot', async () => {
    await withPage(async (page) => {
      await page.getByTestId('lesson-try-asymmetric').click();
      await expectBoth(page, { ...DEFAULTS, distribution: 'relu' }, 'post-ReLU');
      await page.getByTestId('quantizer-panel').locator('.qz-compare').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOTS}/quantizer-relu-full.png`, fullPage: true });
    });
  });

  test('mobile 375x812: no horizontal overflow, screenshots', async () => {
    await withPage(async (page) => {
      await expectBoth(page, DEFAULTS, 'defaults');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
      await page.screenshot({ path: `${SCREENSHOTS}/quantizer-mobile.png` });
      await page.screenshot({ path: `${SCREENSHOTS}/quantizer-mobile-full.png`, fullPage: true });
    }, { viewport: { width: 375, height: 812 } });
  });

  test('dark colour scheme, outliers at 8 bits with log counts: screenshot', async () => {
    await withPage(async (page) => {
      await page.getByTestId('lesson-try-clipping').click();
      await setBits(page, 8);
      await expectBoth(page, { ...DEFAULTS, distribution: 'outliers', observer: 'mse', bits: 8 }, 'outliers, 8 bits, mse');
      assert.equal(await page.getByTestId('quantizer-log').isChecked(), true);
      await page.screenshot({ path: `${SCREENSHOTS}/quantizer-dark-full.png`, fullPage: true });
    }, { colorScheme: 'dark' });
  });
});
