// npm test: install what is missing, build everything, run every suite:
// GoogleTest natively, under ASan+UBSan and as wasm under Node; node --test on
// the package (including an install of the packed tarball); Chromium tests of
// the page. Ends with one summary line.
import { ensureDeps } from './lib/deps.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILDS, cmakeBuild, gtest } from './lib/cmake.mjs';
import { assemblePackage } from './lib/package.mjs';
import { runFuzz } from './lib/fuzz.mjs';
import { run, fail } from './lib/run.mjs';

function nodeTest(dir) {
  const r = run(process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', `${dir}/`], {
    capture: true,
    allowFailure: true,
  });
  const pass = Number(/ℹ pass (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const failed = Number(/ℹ fail (\d+)/.exec(r.stdout)?.[1] ?? 0);
  return { passed: pass, failed: r.status === 0 ? failed : Math.max(failed, 1) };
}

// The conformance runner prints its table and one summary line.
function conformance() {
  mkdirSync('test-results', { recursive: true });
  const r = run(join(BUILDS.native.dir, 'quantlab_conformance'), ['--markdown', 'test-results/conformance.md'], {
    capture: true,
    allowFailure: true,
  });
  const lines = r.stdout.split('\n');
  for (const line of lines) if (line.startsWith('FAIL') || line.startsWith('conformance:')) console.log(line);
  console.log('full table: test-results/conformance.md');
  const m = /conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  if (!m) return { passed: 0, failed: 1 };
  return { passed: Number(m[1]), failed: r.status === 0 ? Number(m[2]) : Math.max(1, Number(m[2])) };
}

// A bounded libFuzzer run counts as one test.
function fuzz() {
  const r = runFuzz({ runs: 50000 });
  console.log(`fuzz: ${r.runs} inputs in ${r.seconds} s, ${r.ok ? 'no findings' : 'FINDINGS (see above)'}`);
  return { passed: r.ok ? 1 : 0, failed: r.ok ? 0 : 1 };
}

// [key, description, run]; `npm test -- KEY...` runs only those suites.
const SUITES = [
  ['native', 'GoogleTest, native', () => (cmakeBuild('native'), gtest('native'))],
  ['sanitize', 'GoogleTest, ASan+UBSan', () => (cmakeBuild('sanitize'), gtest('sanitize'))],
  ['wasm', 'GoogleTest, wasm under Node', () => (cmakeBuild('wasm'), gtest('wasm'))],
  ['conformance', 'ONNX backend tests (libonnx-testdata)', () => (cmakeBuild('native', ['quantlab_conformance']), conformance())],
  ['fuzz', 'libFuzzer on the ONNX reader, ASan+UBSan', () => fuzz()],
  ['package', 'npm package, node --test', () => (assemblePackage(), nodeTest('tests/js'))],
  [
    'page',
    'page in Chromium, playwright-core',
    () => (run('node_modules/.bin/vite', ['build', '--config', 'web/vite.config.js', '--logLevel', 'warn']), nodeTest('tests/e2e')),
  ],
];

const only = process.argv.slice(2);
const started = Date.now();
const seconds = (since) => `${Math.round((Date.now() - since) / 1000)} s`;
try {
  ensureDeps(['build', 'browser', 'conformance', 'fuzz']);
} catch (e) {
  fail(e.message);
}
const results = [];
const unknown = only.filter((o) => !SUITES.some(([key]) => key === o));
if (unknown.length) fail(`unknown suite ${unknown.join(', ')} (expected ${SUITES.map(([key]) => key).join(', ')})`);
for (const [key, description, suite] of SUITES) {
  if (only.length && !only.includes(key)) continue;
  const name = `${key} (${description})`;
  console.log(`\n=== ${name} ===`);
  const t0 = Date.now();
  try {
    results.push([name, suite(), seconds(t0)]);
  } catch (e) {
    console.error(`quantlab: ${name}: ${e.message}`);
    results.push([name, { passed: 0, failed: 1 }, seconds(t0)]);
  }
}
console.log('\n=== summary ===');
let passed = 0;
let failed = 0;
// each suite's time includes its build: CI should stay well under 30 minutes
for (const [name, r, took] of results) {
  console.log(`${r.failed ? 'FAIL' : 'ok  '}  ${name}: ${r.passed} passed, ${r.failed} failed (${took})`);
  passed += r.passed;
  failed += r.failed;
}
console.log(`time: ${seconds(started)}, dependencies and builds included`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
