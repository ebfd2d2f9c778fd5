// The CLI's post-training quantization, end to end: `quantlab ptq` on the
// bundled fashion_cnn with the bundled calibration images writes a QDQ model,
// a report and a recipe; `quantlab eval` on the written model gives the
// accuracy the report states; replaying the recipe writes the same bytes;
// dynamic mode on the MLP; bad input exits with code 2 and one line on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npyBytes } from './lib/npy.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
// QUANTLAB_CLI runs the same tests against another build, e.g. build/sanitize/quantlab.
const CLI = process.env.QUANTLAB_CLI ?? join(ROOT, 'build/native/quantlab');
const skip = existsSync(CLI) ? false : `${CLI} is not built (cmake --build build/native)`;

const MODELS = join(ROOT, 'models');
const CALIB = join(MODELS, 'data/calib_images_u8.npy');
const IMAGES = join(MODELS, 'data/test_images_u8.npy');
const LABELS = join(MODELS, 'data/test_labels.npy');
const NORMALIZE = '0.2860,0.3530';

const work = mkdtempSync(join(tmpdir(), 'quantlab-cli-ptq-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const path = (name) => join(work, name);

function run(...args) {
  const r = spawnSync(CLI, args.map(String), { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runOk(...args) {
  const r = run(...args);
  assert.equal(r.status, 0, `quantlab ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

/** Bad input: exit 2, nothing on stdout, exactly one line on stderr that contains `needle`. */
function assertRejected(args, needle) {
  const r = run(...args);
  assert.equal(r.status, 2, `quantlab ${args.join(' ')} should exit 2, got ${r.status}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^[^\n]+\n$/, `one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.ok(r.stderr.includes(needle), `stderr ${JSON.stringify(r.stderr)} should mention ${JSON.stringify(needle)}`);
}

const evalArgs = ['--images', IMAGES, '--labels', LABELS, '--normalize', NORMALIZE];

// One static run of fashion_cnn that the tests below share.
let cnn = null;
function cnnRun() {
  if (cnn) return cnn;
  const out = path('cnn.int8.onnx');
  const report = path('cnn.report.json');
  const recipe = path('cnn.recipe.json');
  const r = runOk('ptq', join(MODELS, 'fashion_cnn.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--out', out,
    '--report', report, '--recipe', recipe, '--eval-images', IMAGES, '--eval-labels', LABELS);
  cnn = { out, report, recipe, stdout: r.stdout };
  return cnn;
}

test('ptq fashion_cnn: writes a model that eval accepts with the accuracy the report states, a report and a recipe', { skip }, () => {
  const { out, report, recipe, stdout } = cnnRun();
  assert.match(stdout, /static PTQ of .*fashion_cnn\.onnx: 8 layers, 8 quantized; calibration 200 samples/);
  assert.match(stdout, /accuracy: float 92\.00%, quantized/);
  assert.ok(stdout.includes(`wrote ${out}`));
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(rep.layers.length, 8);
  assert.equal(rep.samples, 64);
  for (const l of rep.layers) assert.ok(typeof l.isolated.sqnrDb === 'number' && l.isolated.sqnrDb > 15, `${l.name}: ${l.isolated.sqnrDb}`);
  const e = rep.evaluation;
  assert.equal(e.count, 1000);
  assert.equal(e.floatAccuracy, 0.92);
  assert.ok(e.floatAccuracy - e.quantizedAccuracy <= 0.005, `issue #6: drop ≤ 0.5 point, got float ${e.floatAccuracy}, int8 ${e.quantizedAccuracy}`);
  assert.equal(rep.quantizedBytes, readFileSync(out).length);
  console.log(`quantlab ptq fashion_cnn: float ${(100 * e.floatAccuracy).toFixed(1)}%, int8 ${(100 * e.quantizedAccuracy).toFixed(1)}%, agreement ${(100 * e.agreement).toFixed(1)}%, size ratio ${rep.sizeRatio.toFixed(3)}`);

  // eval accepts the written QDQ model and finds the same accuracy.
  const ev = JSON.parse(runOk('eval', out, ...evalArgs, '--json').stdout);
  assert.equal(ev.images, 1000);
  assert.equal(ev.accuracy, e.quantizedAccuracy);
  assert.equal(ev.correct, Math.round(1000 * e.quantizedAccuracy));
  const evFloat = JSON.parse(runOk('eval', join(MODELS, 'fashion_cnn.onnx'), ...evalArgs, '--json').stdout);
  assert.equal(evFloat.accuracy, e.floatAccuracy);

  const rec = JSON.parse(readFileSync(recipe, 'utf8'));
  assert.equal(rec.format, 'quantlab-ptq-recipe');
  assert.equal(rec.mode, 'static');
  assert.equal(rec.calibration.samples, 200);
  assert.match(rec.calibration.note, /calib_images_u8\.npy, first 200 samples, normalized 0\.2860,0\.3530/);
});

test('ptq --recipe without --calib replays the recipe to identical bytes', { skip }, () => {
  const { out, recipe } = cnnRun();
  const replayed = path('cnn.replayed.onnx');
  const r = runOk('ptq', join(MODELS, 'fashion_cnn.onnx'), '--recipe', recipe, '--out', replayed);
  assert.match(r.stdout, /^replayed .*: wrote .* \(\d+ bytes\)\n$/);
  assert.deepEqual(readFileSync(replayed), readFileSync(out));
  const j = JSON.parse(runOk('ptq', join(MODELS, 'fashion_cnn.onnx'), '--recipe', recipe, '--out', replayed, '--json').stdout);
  assert.equal(j.bytes, readFileSync(out).length);
});

test('ptq --json prints one JSON object: the report, the evaluation, the output path and latencies', { skip }, () => {
  const out = path('mlp.int8.onnx');
  const r = runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--out', out,
    '--eval-images', IMAGES, '--eval-labels', LABELS, '--samples', 100, '--batch', 25, '--json');
  const j = JSON.parse(r.stdout);
  assert.equal(j.out, out);
  assert.equal(j.layers.length, 3);
  assert.equal(j.samples, 64);
  assert.ok(j.latencyMs.float > 0 && j.latencyMs.quantized > 0 && j.latencyMs.batch === 1);
  assert.equal(j.evaluation.count, 1000);
  assert.ok(j.evaluation.floatAccuracy - j.evaluation.quantizedAccuracy <= 0.01);
  assert.ok(existsSync(out));
});

test('ptq --mode dynamic works on the MLP', { skip }, () => {
  const out = path('mlp.dynamic.onnx');
  const report = path('mlp.dynamic.json');
  const r = runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--mode', 'dynamic',
    '--out', out, '--report', report, '--eval-images', IMAGES, '--eval-labels', LABELS);
  assert.match(r.stdout, /dynamic PTQ of .*: 3 layers, 3 quantized/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.ok(rep.layers.every((l) => l.quantized && l.inputActivation === null));
  const info = JSON.parse(runOk('info', out, '--json').stdout);
  const ops = new Set(info.nodes.map((n) => n.op ?? n.op_type));
  assert.ok(ops.has('DynamicQuantizeLinear') && ops.has('MatMulInteger'), [...ops].join(' '));
  // Dynamic activation parameters are per batch, so predictions depend on the
  // batching: eval in batches of 50, as the report's evaluation, gives its accuracy.
  const ev = JSON.parse(runOk('eval', out, ...evalArgs, '--batch', 50, '--json').stdout);
  assert.equal(ev.accuracy, rep.evaluation.quantizedAccuracy);
  assert.ok(rep.evaluation.floatAccuracy - ev.accuracy <= 0.01, `float ${rep.evaluation.floatAccuracy}, dynamic ${ev.accuracy}`);
  // A dynamic recipe replays too.
  const recipe = path('mlp.dynamic.recipe.json');
  runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--mode', 'dynamic', '--out', path('d2.onnx'), '--recipe', recipe);
  runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--recipe', recipe, '--out', path('d3.onnx'));
  assert.deepEqual(readFileSync(path('d3.onnx')), readFileSync(out));
});

test('ptq --keep-float leaves the named layer float; --sensitivity prints a plan', { skip }, () => {
  const report = path('mlp.keep.json');
  runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--keep-float', '/fc2/Gemm',
    '--out', path('keep.onnx'), '--report', report, '--eval-images', IMAGES, '--eval-labels', LABELS, '--sensitivity');
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.deepEqual(rep.layers.map((l) => l.quantized), [true, false, true]);
  assert.equal(rep.sensitivity.layers.length, 2);
  assert.ok(Array.isArray(rep.sensitivity.plan) && rep.sensitivity.steps.length >= 1);
});

test('ptq --low-bits prints a --layer-bits plan; --layer-bits applies it and the recipe replays it', { skip }, () => {
  const report = path('mlp.low.json');
  const first = runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--out', path('mlp8.onnx'),
    '--report', report, '--eval-images', IMAGES, '--eval-labels', LABELS, '--low-bits', '--budget', '0.01');
  const low = JSON.parse(readFileSync(report, 'utf8')).lowBits;
  assert.equal(low.layers.length, 3);
  assert.ok(low.withinBudget);
  const planned = Object.keys(low.plan);
  assert.ok(planned.length > 0, 'some MLP layer takes 4 bits within a point');
  const arg = planned.map((l) => `${l}=4`).join(',');
  assert.ok(first.stdout.includes(`--layer-bits ${arg}`), first.stdout);

  const out = path('mlp.mixed.onnx');
  const recipe = path('mlp.mixed.recipe.json');
  const second = runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--calib', CALIB, '--normalize', NORMALIZE, '--layer-bits', arg,
    '--out', out, '--recipe', recipe, '--report', path('mlp.mixed.json'), '--eval-images', IMAGES, '--eval-labels', LABELS);
  assert.equal(readFileSync(out).length, low.bytes, 'the file the plan promised');
  const mixed = JSON.parse(readFileSync(path('mlp.mixed.json'), 'utf8'));
  assert.equal(mixed.evaluation.quantizedAccuracy, low.accuracy);
  for (const l of mixed.layers) assert.equal(l.weight.bits, planned.includes(l.name) ? 4 : 8, l.name);
  assert.deepEqual(JSON.parse(readFileSync(recipe, 'utf8')).weights.layer_bits, low.plan);
  runOk('ptq', join(MODELS, 'fashion_mlp.onnx'), '--recipe', recipe, '--out', path('mlp.replayed.onnx'));
  assert.deepEqual(readFileSync(path('mlp.replayed.onnx')), readFileSync(out), 'the replay writes the same bytes');
  assert.match(second.stdout, /where the bytes go/);
});

test('bad input exits 2 with one line on stderr', { skip }, () => {
  const cnnModel = join(MODELS, 'fashion_cnn.onnx');
  const mlpModel = join(MODELS, 'fashion_mlp.onnx');
  const base = [cnnModel, '--calib', CALIB, '--normalize', NORMALIZE];
  assertRejected(['ptq', ...base], '--out');
  assertRejected(['ptq', ...base, '--out', path('bad1.onnx'), '--mode', 'sometimes'], "unknown mode 'sometimes'");
  assertRejected(['ptq', ...base, '--out', path('bad2.onnx'), '--keep-float', '/no/Conv'], "'/no/Conv'");
  assertRejected(['ptq', ...base, '--out', path('bad3.onnx'), '--weight-bits', 9], 'weight bits');
  assertRejected(['ptq', ...base, '--out', path('bad4.onnx'), '--eval-images', IMAGES], '--eval-labels');
  assertRejected(['ptq', cnnModel, '--calib', CALIB, '--out', path('bad5.onnx')], '--normalize');
  assertRejected(['ptq', cnnModel, '--out', path('bad6.onnx')], '--calib');
  // Calibration images of the wrong shape.
  const wrong = path('calib_27.npy');
  writeFileSync(wrong, npyBytes('|u1', [4, 1, 27, 27], new Uint8Array(4 * 27 * 27).fill(100)));
  assertRejected(['ptq', cnnModel, '--calib', wrong, '--normalize', NORMALIZE, '--out', path('bad7.onnx')], "'input'");
  // A recipe made for another model.
  const { recipe } = cnnRun();
  assertRejected(['ptq', mlpModel, '--recipe', recipe, '--out', path('bad8.onnx')], 'recipe was made for graph');
  // A recipe that is not one, and options that contradict a replay.
  const broken = path('broken.json');
  writeFileSync(broken, '{"format": "quantlab-ptq-recipe", "version": 1, "colour": 1}');
  assertRejected(['ptq', cnnModel, '--recipe', broken, '--out', path('bad9.onnx')], "unknown key 'colour'");
  assertRejected(['ptq', cnnModel, '--recipe', recipe, '--mode', 'dynamic', '--out', path('bad10.onnx')], '--mode cannot be combined');
  assertRejected(['ptq', ...base, '--out', path('bad11.onnx'), '--layer-bits', '/fc/Gemm'], 'LAYER=BITS');
  assertRejected(['ptq', ...base, '--out', path('bad12.onnx'), '--layer-bits', '/fc/Gemm=12'], "'/fc/Gemm' must be 2..8");
  assertRejected(['ptq', ...base, '--out', path('bad13.onnx'), '--layer-bits', '/no/Gemm=4'], "'/no/Gemm'");
  assertRejected(['ptq', ...base, '--out', path('bad17.onnx'), '--layer-bits', '/fc/Gemm=4.5'], 'whole number of bits');
  assertRejected(['ptq', ...base, '--out', path('bad14.onnx'), '--low-bits'], '--eval-labels');
  assertRejected(['ptq', mlpModel, '--calib', CALIB, '--normalize', NORMALIZE, '--mode', 'dynamic', '--out', path('bad15.onnx'),
    '--eval-images', IMAGES, '--eval-labels', LABELS, '--low-bits'], 'static mode');
  assertRejected(['ptq', cnnModel, '--recipe', recipe, '--layer-bits', '/fc/Gemm=4', '--out', path('bad16.onnx')], '--layer-bits cannot be combined');
  const written = Array.from({ length: 24 }, (_, k) => `bad${k + 1}.onnx`).filter((f) => existsSync(path(f)));
  assert.deepEqual(written, [], 'nothing written on error');
});
