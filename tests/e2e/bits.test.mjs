// Browser tests of the Bits panel: the built page (vite preview) in Debian's
// Chromium. Every test fails on a console error, a page error or a failed
// request. Run: node --test tests/e2e/
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { collectErrors, launchBrowser } from './browser.mjs';
import { ROOT, startServer } from './server.mjs';

const SCREENSHOTS = `${ROOT}test-results/screenshots`;
/** The course's example and its fp32 pattern. */
const COURSE_VALUE = '85.125';
const COURSE_FP32_BITS = '01000010101010100100000000000000';
/** How long a UI update may take before an expectation fails. */
const UPDATE_TIMEOUT_MS = 5000;

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
 * Opens the page, runs `fn`, then fails if the page logged any error.
 * @param {(page: import('playwright-core').Page) => Promise<void>} fn
 */
async function withPage(fn, { viewport = { width: 1280, height: 900 }, colorScheme = 'light', hash = '#bits', initScript } = {}) {
  const page = await browser.context.newPage();
  const errors = collectErrors(page);
  try {
    if (initScript) await page.addInitScript(initScript);
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme });
    await page.goto(server.url + hash);
    if (hash === '#bits' && !initScript) await page.getByTestId('row-fp32').waitFor();
    await fn(page);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await page.close();
  }
}

/** Polls a test id's text until `expected` matches (string: equal, RegExp: match). */
async function expectText(page, testid, expected) {
  const locator = page.getByTestId(testid);
  const deadline = Date.now() + UPDATE_TIMEOUT_MS;
  let actual;
  for (;;) {
    actual = (await locator.textContent({ timeout: UPDATE_TIMEOUT_MS }))?.trim();
    const ok = expected instanceof RegExp ? expected.test(actual) : actual === expected;
    if (ok) return actual;
    if (Date.now() > deadline) break;
    await page.waitForTimeout(25);
  }
  if (expected instanceof RegExp) assert.match(actual, expected, `text of ${testid}`);
  else assert.equal(actual, expected, `text of ${testid}`);
}

/** The bits shown in a row, most significant first. */
async function rowBits(page, format) {
  return (await page.getByTestId(`bits-${format}`).locator('button').allTextContents()).join('');
}

async function expectBits(page, format, expected) {
  await page.waitForFunction(
    ([f, bits]) => [...document.querySelectorAll(`[data-testid="bits-${f}"] button`)].map((b) => b.textContent).join('') === bits,
    [format, expected],
    { timeout: UPDATE_TIMEOUT_MS },
  ).catch(() => {});
  assert.equal(await rowBits(page, format), expected, `bits of ${format}`);
}

async function typeValue(page, text) {
  await page.getByTestId('value-input').fill(text);
}

describe('shell', () => {
  test('loads with Bits active, later panels marked coming soon, and cross-origin isolation', async () => {
    await withPage(async (page) => {
      await expectText(page, 'nav-bits', 'Bits');
      assert.equal(await page.getByTestId('nav-bits').getAttribute('aria-current'), 'page');
      for (const id of ['qat', 'llm']) {
        const item = page.getByTestId(`nav-${id}`);
        assert.equal(await item.getAttribute('aria-disabled'), 'true', `${id} is disabled`);
        assert.equal(await item.getAttribute('href'), null, `${id} is not a link`);
        assert.match(await item.textContent(), /soon/);
      }
      assert.match(await page.getByRole('banner').textContent(), /quantlab/);
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP headers are set');
      assert.equal(await page.title(), 'Bits · quantlab');
    });
  });

  test('a panel that is not built yet shows a coming-soon card, and Bits comes back', async () => {
    await withPage(async (page) => {
      await page.evaluate(() => (location.hash = '#qat'));
      await page.getByTestId('coming-soon').waitFor();
      assert.match(await page.getByTestId('coming-soon').textContent(), /QAT/);
      await page.evaluate(() => (location.hash = '#bits'));
      await expectText(page, 'hex-fp32', '0x42aa4000');
    });
  });

  test('without WebAssembly SIMD the page explains why it cannot start', async () => {
    await withPage(
      async (page) => {
        await page.getByTestId('app-error').waitFor();
        assert.equal(await page.getByTestId('app-error').getAttribute('role'), 'alert');
        assert.match(await page.getByTestId('init-error').textContent(), /SIMD/);
        assert.equal(await page.getByTestId('row-fp32').count(), 0);
      },
      // the package detects SIMD with WebAssembly.validate: pretend it fails
      { initScript: () => (WebAssembly.validate = () => false) },
    );
  });
});

describe('Bits panel', () => {
  test('default 85.125 is stored in fp32 as the course shows, with the walkthrough', async () => {
    await withPage(async (page) => {
      assert.equal(await page.getByTestId('value-input').inputValue(), COURSE_VALUE);
      await expectBits(page, 'fp32', COURSE_FP32_BITS);
      await expectText(page, 'hex-fp32', '0x42aa4000');
      await expectText(page, 'stored-fp32', '85.125');
      await expectText(page, 'class-fp32', 'normal');
      await expectText(page, 'status-fp32', 'exact');
      assert.equal(await page.getByTestId('bit-fp32-31').getAttribute('aria-label'), 'fp32 bit 31 (sign): 0');
      assert.equal(await page.getByTestId('bit-fp32-30').getAttribute('aria-label'), 'fp32 bit 30 (exponent): 1');
      assert.equal(await page.getByTestId('bit-fp32-0').getAttribute('aria-label'), 'fp32 bit 0 (mantissa): 0');

      // The walkthrough renders the core's steps (values as the core returns them).
      await expectText(page, 'step-value-sign', '0');
      await expectText(page, 'step-value-integer_part', '1010101');
      await expectText(page, 'step-value-fraction_part', '.001');
      await expectText(page, 'step-value-combined', '1010101.001');
      await expectText(page, 'step-value-normalized', '1.010101001 × 2^6');
      await expectText(page, 'step-value-biased_exponent', '10000101');
      assert.match(await page.getByTestId('step-biased_exponent').textContent(), /127 \+ 6 = 133/);
      await expectText(page, 'step-value-mantissa', '01010100100000000000000');
      await expectText(page, 'step-value-pattern', '0 10000101 01010100100000000000000');
      const ids = await page.getByTestId('walkthrough').locator(':scope > li').evaluateAll((lis) => lis.map((li) => li.dataset.testid));
      assert.deepEqual(ids.slice(0, 3), ['step-sign', 'step-integer_part', 'step-fraction_part'], 'steps in the core order');
    });
  });

  test('every format row shows 85.125: fp16 exact, bf16 and fp8 rounded, int8 85', async () => {
    await withPage(async (page) => {
      await expectText(page, 'hex-fp16', '0x5552');
      await expectText(page, 'stored-fp16', '85.125');
      await expectText(page, 'stored-bf16', '85');
      await expectText(page, 'status-bf16', 'rounded');
      await expectText(page, 'stored-fp8_e4m3', '88');
      await expectText(page, 'hex-fp8_e4m3', '0x6b');
      await expectText(page, 'stored-fp8_e5m2', '80');
      await expectText(page, 'stored-int8', '85');
      await expectText(page, 'class-int8', 'integer');
      await expectText(page, 'error-int8', /^-0\.125/);
      assert.equal((await rowBits(page, 'fp8_e4m3')).length, 8);
      assert.equal((await rowBits(page, 'bf16')).length, 16);
    });
  });

  test('typing 0.1 shows the fp32 stored value 0.100000001490116… and its error', async () => {
    await withPage(async (page) => {
      await typeValue(page, '0.1');
      await expectText(page, 'stored-fp32', /^0\.100000001490116/);
      await expectText(page, 'stored-fp32', '0.100000001490116119384765625');
      await expectText(page, 'hex-fp32', '0x3dcccccd');
      await expectText(page, 'status-fp32', 'rounded');
      await expectText(page, 'error-fp32', /^\+1\.49e-9/);
      await expectText(page, 'step-value-pattern', '0 01111011 10011001100110011001101');
    });
  });

  test('accepted spellings: 1e-3, -0, inf and nan', async () => {
    await withPage(async (page) => {
      await typeValue(page, '1e-3');
      await expectText(page, 'stored-fp32', /^0\.001000000047497451305389404296875$/);
      await typeValue(page, '-0');
      await expectText(page, 'hex-fp32', '0x80000000');
      await expectText(page, 'class-fp32', 'zero');
      await expectText(page, 'stored-fp16', '-0');
      await typeValue(page, 'inf');
      await expectText(page, 'class-fp32', 'infinity');
      await expectText(page, 'stored-fp8_e4m3', '448');
      await expectText(page, 'status-fp8_e4m3', 'saturated');
      await typeValue(page, 'nan');
      await expectText(page, 'class-fp32', 'nan');
      await expectText(page, 'class-bf16', 'nan');
      // NaN has no integer pattern: the row says so, the others keep working.
      await expectText(page, 'row-error-int8', 'NaN has no representation in int8');
      assert.equal(await page.getByTestId('error-message').isVisible(), false);
    });
  });

  test('flipping fp32 bit 31 makes the value negative and the other rows follow', async () => {
    await withPage(async (page) => {
      await page.getByTestId('bit-fp32-31').click();
      await expectBits(page, 'fp32', `1${COURSE_FP32_BITS.slice(1)}`);
      await expectText(page, 'hex-fp32', '0xc2aa4000');
      await expectText(page, 'stored-fp32', '-85.125');
      assert.equal(await page.getByTestId('value-input').inputValue(), '-85.125');
      assert.equal(await page.getByTestId('bit-fp32-31').getAttribute('aria-label'), 'fp32 bit 31 (sign): 1');
      await expectText(page, 'status-fp32', 'edited pattern');
      // The other rows re-encode the new value.
      await expectText(page, 'stored-fp16', '-85.125');
      await expectText(page, 'bit-fp16-15', '1');
      await expectText(page, 'stored-bf16', '-85');
      await expectText(page, 'stored-fp8_e4m3', '-88');
      await expectText(page, 'stored-int8', '-85');
      // The walkthrough now decodes the edited pattern (steps come from decodeBits).
      await expectText(page, 'step-value-stored_value', '-85.125');

      // Flipping an exponent bit keeps the row pinned to the exact pattern.
      await page.getByTestId('bit-fp32-30').click();
      await expectBits(page, 'fp32', `10${COURSE_FP32_BITS.slice(2)}`);
      await expectText(page, 'stored-fp32', /^-2\.5015989153436806/); // exponent 133 → 5: × 2^-128
      await expectText(page, 'class-fp16', 'zero');

      // Typing a new value releases the pinned row.
      await typeValue(page, '2');
      await expectText(page, 'hex-fp32', '0x40000000');
      await expectText(page, 'status-fp32', 'exact');
    });
  });

  test('flipping a bit in a small format re-encodes the value in fp32', async () => {
    await withPage(async (page) => {
      await typeValue(page, '1');
      await expectText(page, 'hex-fp8_e5m2', '0x3c');
      await page.getByTestId('bit-fp8_e5m2-0').click();
      await expectText(page, 'hex-fp8_e5m2', '0x3d');
      await expectText(page, 'stored-fp8_e5m2', '1.25');
      await expectText(page, 'stored-fp32', '1.25');
      await expectText(page, 'hex-fp32', '0x3fa00000');
    });
  });

  test('special values: fp16 max finite is 65504, and the other limits come from formatInfo', async () => {
    await withPage(async (page) => {
      await page.getByTestId('format-select').selectOption('fp16');
      await expectText(page, 'special-max', /65504/);
      await page.getByTestId('special-max').click();
      await expectText(page, 'stored-fp16', '65504');
      await expectText(page, 'hex-fp16', '0x7bff');
      await expectText(page, 'status-fp16', 'exact');
      assert.equal(await page.getByTestId('value-input').inputValue(), '65504');
      // The walkthrough follows the selected format.
      await expectText(page, 'step-value-pattern', '0 11110 1111111111');

      await page.getByTestId('special-min-subnormal').click();
      await expectText(page, 'hex-fp16', '0x0001');
      await expectText(page, 'class-fp16', 'subnormal');
      await page.getByTestId('special-min-normal').click();
      await expectText(page, 'hex-fp16', '0x0400');
      await page.getByTestId('special-neg-zero').click();
      await expectText(page, 'hex-fp16', '0x8000');
      await page.getByTestId('special-inf').click();
      await expectText(page, 'class-fp16', 'infinity');
      await page.getByTestId('special-nan').click();
      await expectText(page, 'class-fp16', 'nan');
      await page.getByTestId('special-third').click();
      await expectText(page, 'hex-fp16', '0x3555');
      await page.getByTestId('special-tenth').click();
      await expectText(page, 'hex-fp16', '0x2e66');
      await page.getByTestId('special-zero').click();
      await expectText(page, 'hex-fp16', '0x0000');
    });
  });

  test('fp8 E4M3 saturates a large input to 448; without saturation it becomes NaN', async () => {
    await withPage(async (page) => {
      await typeValue(page, '1e6');
      await expectText(page, 'stored-fp8_e4m3', '448');
      await expectText(page, 'status-fp8_e4m3', 'saturated');
      await expectText(page, 'stored-fp8_e5m2', '57344');
      await expectText(page, 'status-fp8_e5m2', 'saturated');
      await expectText(page, 'class-fp16', 'infinity');
      await expectText(page, 'status-fp16', 'overflow → ∞');
      await expectText(page, 'stored-int8', '127');
      await expectText(page, 'status-int8', 'clamped');

      await page.getByTestId('saturate-toggle').uncheck();
      await expectText(page, 'class-fp8_e4m3', 'nan');
      await expectText(page, 'status-fp8_e4m3', 'overflow → NaN');
      await expectText(page, 'class-fp8_e5m2', 'infinity');
    });
  });

  test('invalid text shows the core message inline, then a valid value works again', async () => {
    await withPage(async (page) => {
      await typeValue(page, 'abc');
      await expectText(page, 'error-message', "!'abc' is not a number");
      assert.equal(await page.getByTestId('error-message').getAttribute('role'), 'alert');
      assert.equal(await page.getByTestId('value-input').getAttribute('aria-invalid'), 'true');
      await typeValue(page, '2.5');
      await expectText(page, 'stored-fp32', '2.5');
      assert.equal(await page.getByTestId('error-message').isVisible(), false);
      assert.equal(await page.getByTestId('value-input').getAttribute('aria-invalid'), 'false');
      await expectText(page, 'hex-fp32', '0x40200000');
    });
  });

  test('the integer row selector switches between integer formats', async () => {
    await withPage(async (page) => {
      await page.getByTestId('int-format-select').selectOption('int4');
      await expectText(page, 'stored-int4', '7');
      await expectText(page, 'status-int4', 'clamped');
      assert.equal((await rowBits(page, 'int4')).length, 4);
      await page.getByTestId('int-format-select').selectOption('uint8');
      await expectText(page, 'stored-uint8', '85');
      await expectBits(page, 'uint8', '01010101');
    });
  });

  test('keyboard: Tab reaches a bit and Space flips it', async () => {
    await withPage(async (page) => {
      await page.getByTestId('value-input').focus();
      let testid = '';
      for (let i = 0; i < 40 && !testid.startsWith('bit-'); i += 1) {
        await page.keyboard.press('Tab');
        testid = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
      }
      assert.equal(testid, 'bit-fp32-31', 'the first bit reached by Tab is the fp32 sign bit');
      await page.keyboard.press('Space');
      await expectText(page, 'bit-fp32-31', '1');
      await expectText(page, 'stored-fp32', '-85.125');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'bit-fp32-31', 'focus stays on the bit');
      // Arrow keys move between bits; Enter flips too.
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'bit-fp32-30');
      await page.keyboard.press('Enter');
      await expectText(page, 'bit-fp32-30', '0');
    });
  });
});

describe('layout', () => {
  mkdirSync(SCREENSHOTS, { recursive: true });

  test('desktop 1280x900: screenshot', async () => {
    await withPage(async (page) => {
      await expectText(page, 'hex-fp32', '0x42aa4000');
      await page.screenshot({ path: `${SCREENSHOTS}/bits-desktop.png` });
      await page.screenshot({ path: `${SCREENSHOTS}/bits-desktop-full.png`, fullPage: true });
    });
  });

  test('desktop 1440x900, 0.1 selected in fp8 E4M3: screenshot', async () => {
    await withPage(async (page) => {
      await typeValue(page, '0.1');
      await page.getByTestId('format-select').selectOption('fp8_e4m3');
      await expectText(page, 'stored-fp8_e4m3', '0.1015625');
      await page.screenshot({ path: `${SCREENSHOTS}/bits-wide-full.png`, fullPage: true });
    }, { viewport: { width: 1440, height: 900 } });
  });

  test('mobile 375x812: no horizontal overflow, screenshot', async () => {
    await withPage(async (page) => {
      await expectText(page, 'hex-fp32', '0x42aa4000');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
      await page.screenshot({ path: `${SCREENSHOTS}/bits-mobile.png` });
      await page.screenshot({ path: `${SCREENSHOTS}/bits-mobile-full.png`, fullPage: true });
    }, { viewport: { width: 375, height: 812 } });
  });

  test('dark colour scheme with an input error: screenshot', async () => {
    await withPage(async (page) => {
      await typeValue(page, '1e6');
      await expectText(page, 'status-fp8_e4m3', 'saturated');
      await typeValue(page, '1e6x');
      await page.getByTestId('error-message').waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}/bits-dark.png` });
    }, { colorScheme: 'dark' });
  });
});
