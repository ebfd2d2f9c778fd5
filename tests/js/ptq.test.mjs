// The npm post-training quantization API (quantizeModel / QuantizedModel /
// applyRecipe) on the bundled Fashion-MNIST models: accuracy of the int8
// model against float on the 1,000 bundled test images (issue #6: a drop of at
// most 0.5 point for fashion_cnn), the exported QDQ file run by onnxruntime-node
// against our int8 engine, recipes replayed to the same bytes, dynamic mode
// against PyTorch's quantize_dynamic (tests/fixtures/ptq), and bad input.
//
// onnxruntime runs with graphOptimizationLevel 'basic': the QDQ graph as
// written (dequantize, float op, quantize), which equals the ONNX semantics
// code for code. At 'all' it fuses Conv into QLinearConv, whose u8s8 kernel
// saturates int16 pair sums on x86 CPUs without VNNI (scripts/reference/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init } from 'quantlab';
import { readNpy } from './lib/npy.mjs';
import { createOrtSession, ort } from './lib/ort_node.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const ql = await init();
const manifest = JSON.parse(readFileSync(join(ROOT, 'models/models.json'), 'utf8'));
const { mean, std } = manifest.input_preprocessing;
const PIXELS = 28 * 28;

/** uint8 images [N, 1, 28, 28] as the models' float input: (u8 / 255 − mean) / std. */
function normalize(u8) {
  const data = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i += 1) data[i] = (u8[i] / 255 - mean) / std;
  return { data, shape: [u8.length / PIXELS, 1, 28, 28] };
}

const calibration = normalize(readNpy(join(ROOT, 'models/data/calib_images_u8.npy')).data);
const testImages = normalize(readNpy(join(ROOT, 'models/data/test_images_u8.npy')).data);
const testLabels = Array.from(readNpy(join(ROOT, 'models/data/test_labels.npy')).data, Number);
assert.equal(calibration.shape[0], 200);
assert.equal(testImages.shape[0], 1000);

/** The targets. */
const MAX_DROP_POINTS = { cnn: 0.5, dwcnn: 1.0, mlp: 1.0 };
// fashion_cnn is the model: at most 0.5 point. The depthwise network and
// the MLP are held to 1 point (PyTorch's own per-tensor static PTQ of the
// depthwise network loses 0.6, scripts/reference/torch_static_ptq.json).
const MIN_ORT_AGREEMENT = 0.995; // issue #6: the exported file and our engine, same top-1

const modelBytes = (file) => readFileSync(join(ROOT, 'models', file));

function argmaxRows(logits, classes) {
  const out = [];
  for (let r = 0; r < logits.length / classes; r += 1) {
    let best = 0;
    for (let c = 1; c < classes; c += 1) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    out.push(best);
  }
  return out;
}

/** Top-1 of `run(batch)` over the 1,000 test images, 100 at a time. */
async function predictions(run) {
  const out = [];
  for (let first = 0; first < 1000; first += 100) {
    const batch = { data: testImages.data.subarray(first * PIXELS, (first + 100) * PIXELS), shape: [100, 1, 28, 28] };
    out.push(...argmaxRows(await run(batch), 10));
  }
  return out;
}

const accuracy = (pred) => pred.reduce((n, p, i) => n + (p === testLabels[i]), 0) / pred.length;
const agreement = (a, b) => a.reduce((n, p, i) => n + (p === b[i]), 0) / a.length;

/**
 * onnxruntime's top-1 on the test images. 'basic' runs the QDQ graph as
 * written; its default, 'all', fuses it into integer kernels, whose int8
 * convolution on x86 without VNNI (this machine) saturates 16-bit pair sums
 * of full-range 8-bit weights (scripts/reference/README.md).
 */
async function ortPredictions(bytes, input, output, graphOptimizationLevel = 'basic') {
  const session = await createOrtSession(bytes, { graphOptimizationLevel });
  try {
    return await predictions(async (b) => (await session.run({ [input]: new ort.Tensor('float32', b.data.slice(), b.shape) }))[output].data);
  } finally {
    await session.release();
  }
}

for (const entry of manifest.models) {
  test(`${entry.file}: static int8 within ${MAX_DROP_POINTS[entry.id]} point of float on 1,000 images; onnxruntime runs the export with the same top-1`, async (t) => {
    const model = await ql.loadModel(modelBytes(entry.file));
    const progress = [];
    const q = await ql.quantizeModel(model, { calibration, onProgress: (p) => progress.push(p) });
    try {
      assert.equal(q.mode, 'static');
      assert.deepEqual(progress.at(-1), { stage: 'convert', done: 1, total: 1 });
      assert.deepEqual(progress.filter((p) => p.stage === 'calibrate').at(-1), { stage: 'calibrate', done: 200, total: 200 });
      assert.ok(q.layers.length > 0 && q.layers.every((l) => l.quantized));
      assert.deepEqual(q.keepFloat, []);
      assert.ok(q.nodes.some((n) => n.op.startsWith('QLinear')), 'the engine runs fused integer ops');

      const input = entry.input.name;
      const output = entry.output.name;
      const ours = await predictions((b) => q.runSync({ [input]: b })[output].data);
      const float = await predictions((b) => model.runSync({ [input]: b })[output].data);
      const floatAcc = accuracy(float);
      const int8Acc = accuracy(ours);
      const drop = 100 * (floatAcc - int8Acc);
      const onnx = q.exportOnnx();
      assert.ok(onnx instanceof Uint8Array);
      const ortPred = await ortPredictions(onnx, input, output);
      const ortAgree = agreement(ours, ortPred);
      const line = `${entry.file}: float ${(100 * floatAcc).toFixed(1)}%, int8 ${(100 * int8Acc).toFixed(1)}% (drop ${drop.toFixed(1)} points), ` +
        `top-1 agreement float/int8 ${(100 * agreement(float, ours)).toFixed(1)}%, onnxruntime/ours ${(100 * ortAgree).toFixed(1)}%`;
      t.diagnostic(line);
      console.log(line);
      assert.ok(Math.abs(floatAcc - entry.accuracy.fp32_bundled_test / 100) < 1e-9, 'float accuracy as models.json');
      assert.ok(drop <= MAX_DROP_POINTS[entry.id] + 1e-9, line);
      assert.ok(ortAgree >= MIN_ORT_AGREEMENT, line);
    } finally {
      q.delete();
      model.delete();
    }
  });
}

for (const id of ['cnn', 'dwcnn']) {
  const entry = manifest.models.find((m) => m.id === id);
  test(`${entry.file}: 7-bit weights (onnxruntime's reduce_range) run the same in onnxruntime's own integer kernels, at its default optimization level`, async (t) => {
    const model = await ql.loadModel(modelBytes(entry.file));
    const q = await ql.quantizeModel(model, { calibration, weights: { bits: 7 } });
    try {
      assert.equal(q.recipe().weights.bits, 7);
      const input = entry.input.name;
      const output = entry.output.name;
      const ours = await predictions((b) => q.runSync({ [input]: b })[output].data);
      const ortPred = await ortPredictions(q.exportOnnx(), input, output, 'all');
      const drop = 100 * (entry.accuracy.fp32_bundled_test / 100 - accuracy(ours));
      const line = `${entry.file}, 7-bit weights: int8 ${(100 * accuracy(ours)).toFixed(1)}% (drop ${drop.toFixed(1)} points), ` +
        `onnxruntime (all) / ours ${(100 * agreement(ours, ortPred)).toFixed(1)}%`;
      t.diagnostic(line);
      console.log(line);
      assert.ok(drop <= MAX_DROP_POINTS[entry.id] + 1e-9, line);
      assert.ok(agreement(ours, ortPred) >= MIN_ORT_AGREEMENT, line);
    } finally {
      q.delete();
      model.delete();
    }
  });
}

test('fashion_cnn: 4-bit weights are int4 in the file (two per byte, opset 21), and onnxruntime gives the same top-1', async (t) => {
  const model = await ql.loadModel(modelBytes('fashion_cnn.onnx'));
  const q8 = await ql.quantizeModel(model, { calibration });
  const q4 = await ql.quantizeModel(model, { calibration, weights: { bits: 4 } });
  try {
    const [r8, r4] = [q8.reportSync(), q4.reportSync()];
    assert.equal(r8.size.quantized.weights, r8.layers.reduce((n, l) => n + l.weightElements, 0), 'a byte per int8 code');
    assert.equal(r4.size.quantized.weights, r4.layers.reduce((n, l) => n + Math.ceil(l.weightElements / 2), 0), 'two int4 codes per byte');
    const bytes = q4.exportOnnx();
    assert.equal(bytes.length, r4.quantizedBytes);
    // The file declares opset 21 and reads back with the same answers.
    const back = await ql.loadModel(bytes);
    const ours = await predictions((b) => q4.runSync({ input: b }).logits.data);
    try {
      assert.deepEqual(await predictions((b) => back.runSync({ input: b }).logits.data), ours);
    } finally {
      back.delete();
    }
    const ortPred = await ortPredictions(bytes, 'input', 'logits', 'all');
    const line = `fashion_cnn.onnx, 4-bit weights: ${bytes.length} bytes (${r4.sizeRatio.toFixed(3)}x; 8-bit ${r8.sizeRatio.toFixed(3)}x), ` +
      `int4 ${(100 * accuracy(ours)).toFixed(1)}%, onnxruntime (all) / ours ${(100 * agreement(ours, ortPred)).toFixed(1)}%`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(agreement(ours, ortPred) >= MIN_ORT_AGREEMENT, line);
    assert.ok(accuracy(ours) > 0.85, line);
  } finally {
    q8.delete();
    q4.delete();
    model.delete();
  }
});

test('fashion_cnn: the report has 8 layers with finite SQNRs, the sizes, and an evaluation that matches run()', async () => {
  const model = await ql.loadModel(modelBytes('fashion_cnn.onnx'));
  const q = await ql.quantizeModel(model, { calibration });
  try {
    const stages = new Set();
    const r = await q.report({ evaluation: { ...testImages, labels: testLabels }, onProgress: (p) => stages.add(p.stage) });
    assert.ok(stages.has('report') && [...stages].some((s) => /predict|evaluate/.test(s)), [...stages].join(', '));
    assert.equal(r.samples, 64, 'the first 64 calibration samples');
    assert.equal(r.layers.length, 8);
    for (const l of r.layers) {
      assert.ok(l.quantized, l.name);
      for (const e of [l.isolated, l.propagated]) {
        assert.ok(Number.isFinite(e.sqnrDb) && e.sqnrDb > 15 && e.sqnrDb < 80, `${l.name}: ${e.sqnrDb} dB`);
        assert.ok(Number.isFinite(e.maxAbsError) && e.maxAbsError > 0);
      }
      assert.ok(Number.isFinite(l.weight.sqnrDb) && l.weight.sqnrDb > 30, `${l.name} weight ${l.weight.sqnrDb} dB`);
      assert.equal(l.weight.bits, 8);
      assert.equal(l.weight.granularity, 'channel');
      assert.equal(l.weight.scale.length, l.weight.shape[0], 'one scale per output channel (Conv and Gemm transB = 1: axis 0)');
      assert.ok(l.inputActivation && l.outputActivation, 'static mode: activation summaries');
      assert.ok(l.outputActivation.histogram.counts.length <= 128);
    }
    // The first layer sees the same quantized input alone and in the whole model.
    assert.equal(r.layers[0].isolated.sqnrDb, r.layers[0].propagated.sqnrDb);
    assert.ok(Number.isFinite(r.modelOutput.sqnrDb));
    assert.ok(r.floatBytes > 0 && r.quantizedBytes > 0);
    assert.equal(r.sizeRatio, r.quantizedBytes / r.floatBytes);
    assert.ok(r.sizeRatio > 0.2 && r.sizeRatio < 0.4, `size ratio ${r.sizeRatio}: int8 weights are a quarter of float32`);
    assert.equal(r.quantizedBytes, q.exportOnnx().length);
    // Where the bytes go: the parts add up to each file; int8 codes are a quarter of the float weights.
    for (const [which, total] of [['float', r.floatBytes], ['quantized', r.quantizedBytes]]) {
      const s = r.size[which];
      assert.equal(s.total, total);
      assert.equal(s.weights + s.biases + s.quantParams + s.otherTensors + s.graph, total, which);
      assert.ok(s.graph > 0, which);
    }
    assert.equal(r.size.quantized.weights * 4, r.size.float.weights);
    assert.equal(r.size.float.quantParams, 0);
    assert.equal(r.size.quantized.otherTensors, 0, 'BatchNormalization folded away');
    const channels = r.layers.reduce((sum, l) => sum + l.weight.scale.length, 0);
    assert.equal(r.size.quantized.biases, 4 * channels, 'an int32 bias per output channel');
    assert.ok(r.size.quantized.quantParams >= 2 * 4 * channels, 'float32 weight and bias scales per channel');
    const e = r.evaluation;
    assert.equal(e.count, 1000);
    const ours = await predictions((b) => q.runSync({ input: b }).logits.data);
    assert.deepEqual(e.quantizedPredictions, ours);
    assert.equal(e.quantizedAccuracy, accuracy(ours));
    assert.equal(e.floatAccuracy, 0.92);
    assert.ok(e.floatAccuracy - e.quantizedAccuracy <= 0.005);
    assert.deepEqual(e.disagreements, ours.flatMap((p, i) => (p === e.floatPredictions[i] ? [] : [i])));
    assert.equal(e.agreement, 1 - e.disagreements.length / 1000);
  } finally {
    q.delete();
    model.delete();
  }
});

test('recipe() → applyRecipe() writes identical bytes and runs identically, also after setKeepFloat', async () => {
  const model = await ql.loadModel(modelBytes('fashion_mlp.onnx'));
  const other = await ql.loadModel(modelBytes('fashion_cnn.onnx'));
  const q = await ql.quantizeModel(model, { calibration, activations: { type: 'uint8' }, weights: { bits: 7 } });
  try {
    const bytes = q.exportOnnx();
    const recipe = q.recipe({ note: 'calib_images_u8.npy, 200 images' });
    assert.equal(recipe.format, 'quantlab-ptq-recipe');
    assert.equal(recipe.calibration.note, 'calib_images_u8.npy, 200 images');
    assert.equal(recipe.activations.signed, false);
    assert.equal(recipe.weights.bits, 7);
    for (const r of [recipe, JSON.stringify(recipe)]) {
      const replayed = ql.applyRecipe(model, r);
      try {
        assert.deepEqual(replayed.exportOnnx(), bytes);
        assert.deepEqual(replayed.layers, q.layers);
        const x = { data: testImages.data.subarray(0, 8 * PIXELS), shape: [8, 1, 28, 28] };
        assert.deepEqual(replayed.runSync({ input: x }).logits.data, q.runSync({ input: x }).logits.data);
        // Replayed models have no calibration samples to report on: a readable error.
        assert.throws(() => replayed.reportSync(), /calibration samples/);
      } finally {
        replayed.delete();
      }
    }
    q.setKeepFloat([q.layers[1].name]);
    const mixed = q.exportOnnx();
    const replayed = ql.applyRecipe(model, q.recipe());
    assert.deepEqual(replayed.exportOnnx(), mixed);
    assert.deepEqual(replayed.keepFloat, [q.layers[1].name]);
    replayed.delete();
    // A recipe for another model, and broken recipes, are refused by name.
    assert.throws(() => ql.applyRecipe(other, recipe), /recipe was made for graph/);
    assert.throws(() => ql.applyRecipe(model, { ...recipe, weights: { ...recipe.weights, bits: '7' } }), /\$\.weights\.bits/);
    assert.throws(() => ql.applyRecipe(model, { ...recipe, extra: 1 }), /unknown key 'extra'/);
    assert.throws(() => ql.applyRecipe(model, '{ not json'), /JSON/);
  } finally {
    q.delete();
    model.delete();
    other.delete();
  }
});

// ---------------------------------------------------------------- dynamic mode

const FIXTURE = join(ROOT, 'tests/fixtures/ptq');
/** Same tolerance as tests/native/ptq/dynamic_test.cpp (kTorchFloatSlack): the
 * native test shows that our activation parameters, input codes and weight codes
 * all equal torch's on this fixture, so only float rounding of the output
 * arithmetic is left — a few float32 ulps: 1e-6 · (1 + |y|). */
const TORCH_FLOAT_SLACK = 1e-6;

test('dynamic mode on linear_stack.onnx matches PyTorch quantize_dynamic (per tensor and per channel)', async () => {
  const model = await ql.loadModel(readFileSync(join(FIXTURE, 'linear_stack.onnx')));
  const x = readNpy(join(FIXTURE, 'linear_stack_input.npy'));
  const floatOut = readNpy(join(FIXTURE, 'linear_stack_float_out.npy')).data;
  const cases = [
    ['tensor', readNpy(join(FIXTURE, 'linear_stack_dynamic_out.npy')).data],
    ['channel', readNpy(join(FIXTURE, 'linear_stack_dynamic_perchannel_out.npy')).data],
  ];
  try {
    for (const [granularity, torchOut] of cases) {
      const q = await ql.quantizeModel(model, { mode: 'dynamic', calibration: { data: x.data, shape: x.shape }, weights: { granularity } });
      try {
        assert.equal(q.mode, 'dynamic');
        assert.equal(q.layers.length, 3);
        assert.ok(q.nodes.some((n) => n.op === 'MatMulInteger') || q.nodes.some((n) => n.op === 'DynamicQuantizeLinear'));
        const y = q.runSync({ input: { data: x.data, shape: x.shape } }).output.data;
        assert.equal(y.length, torchOut.length);
        let worst = 0;
        let fromFloat = 0;
        for (let i = 0; i < y.length; i += 1) {
          const d = Math.abs(y[i] - torchOut[i]);
          worst = Math.max(worst, d);
          fromFloat = Math.max(fromFloat, Math.abs(y[i] - floatOut[i]));
          assert.ok(d <= TORCH_FLOAT_SLACK * (1 + Math.abs(torchOut[i])), `${granularity} output ${i}: ours ${y[i]}, torch ${torchOut[i]}`);
        }
        assert.ok(fromFloat > 0.05, 'quantized, not float');
        const r = q.reportSync();
        assert.equal(r.layers.length, 3);
        assert.ok(r.layers.every((l) => l.quantized && l.inputActivation === null && Number.isFinite(l.isolated.sqnrDb)));
        assert.equal(r.layers[0].weight.granularity, granularity);
        // Recipes replay dynamic models too.
        assert.deepEqual(ql.applyRecipe(model, q.recipe()).exportOnnx(), q.exportOnnx());
        console.log(`linear_stack dynamic per-${granularity}: max |ours − torch| = ${worst.toExponential(2)}, max |ours − float| = ${fromFloat.toFixed(3)}`);
      } finally {
        q.delete();
      }
    }
  } finally {
    model.delete();
  }
});

// ------------------------------------------------------------------- bad input

const smallCalibration = { data: calibration.data.subarray(0, 16 * PIXELS), shape: [16, 1, 28, 28] };

test('unknown options and bad calibration throw readable Errors; the instance keeps working and frees what it made', async () => {
  const model = await ql.loadModel(modelBytes('fashion_mlp.onnx'));
  const x = { data: testImages.data.subarray(0, 4 * PIXELS), shape: [4, 1, 28, 28] };
  const expected = model.runSync({ input: x }).logits.data;
  try {
    const baseline = ql.memoryInUse();
    const bad = [
      [{ calibration: smallCalibration, bogus: 1 }, /unknown quantizeModel option 'bogus'/],
      [{ calibration: smallCalibration, activations: { typo: 1 } }, /unknown activations option 'typo'/],
      [{ calibration: smallCalibration, weights: { bit: 8 } }, /unknown weights option 'bit'/],
      [{ calibration: smallCalibration, weights: { bits: 9 } }, /weight bits must be 2\.\.8/],
      [{ calibration: smallCalibration, weights: { granularity: 'group' } }, /tensor or channel/],
      [{ calibration: smallCalibration, activations: { observer: 'median' } }, /median/],
      [{ calibration: smallCalibration, mode: 'fast' }, /mode must be 'static' or 'dynamic'/],
      [{ calibration: smallCalibration, keepFloat: ['no_such_layer'] }, /'no_such_layer'/],
      [{ calibration: smallCalibration, samples: 0 }, /samples must be an integer >= 1/],
      [{}, /needs calibration data/],
      [{ calibration: { data: new Float32Array(2 * 27 * 27), shape: [2, 1, 27, 27] } }, /input 'input'.*(shape|28)/],
      [{ calibration: { data: new Float32Array(2 * PIXELS), shape: [2, 784] } }, /input 'input'/],
      [{ calibration: { data: new Float64Array(2 * PIXELS), shape: [2, 1, 28, 28] } }, /float32|float/],
      [{ calibration: { data: new Int32Array(2 * PIXELS), shape: [2, 1, 28, 28] } }, /float32|float/],
      [{ calibration: { data: new Float32Array(10), shape: [3, 1, 28, 28] } }, /not a multiple|values/],
      [{ calibration: 'images.npy' }, /calibration must be/],
      [{ calibration: { images: smallCalibration } }, /for the model's input 'input'.*keys 'images'/],
      [{ calibration: {} }, /no keys/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(ql.quantizeModel(model, options), (e) => e instanceof Error && message.test(e.message), `${JSON.stringify(Object.keys(options))} should fail with ${message}`);
      assert.deepEqual(model.runSync({ input: x }).logits.data, expected, 'the model still runs');
    }
    assert.ok(ql.memoryInUse() <= baseline + 4096, `failed quantizeModel calls free their memory: ${baseline} -> ${ql.memoryInUse()}`);
    // And quantization still works; samples may also come keyed by the input's name, as run() takes them.
    const byName = await ql.quantizeModel(model, { calibration: { input: smallCalibration } });
    const plain = await ql.quantizeModel(model, { calibration: smallCalibration });
    try {
      assert.deepEqual(byName.exportOnnx(), plain.exportOnnx());
    } finally {
      byName.delete();
      plain.delete();
    }
    const q = await ql.quantizeModel(model, { calibration: smallCalibration });
    try {
      assert.equal(q.runSync({ input: x }).logits.shape[0], 4);
      assert.throws(() => q.reportSync({ bogus: true }), /unknown report option 'bogus'/);
      assert.throws(() => q.reportSync({ sensitivity: true }), /sensitivity needs evaluation/);
      assert.throws(() => q.reportSync({ evaluation: { ...x, labels: [1, 2] } }), /4 inputs but 2 labels/);
      assert.throws(() => q.runSync({ input: { data: new Float32Array(10), shape: [1, 1, 28, 28] } }), /784/);
      assert.equal(q.runSync({ input: x }).logits.shape[0], 4);
    } finally {
      q.delete();
    }
  } finally {
    model.delete();
  }
});

test('setKeepFloat([layer]) leaves that layer float in layers, report and export; [] restores the same bytes', async () => {
  const model = await ql.loadModel(modelBytes('fashion_mlp.onnx'));
  const q = await ql.quantizeModel(model, { calibration: smallCalibration });
  try {
    const all = q.exportOnnx();
    const name = q.layers[1].name;
    assert.equal(q.setKeepFloat([name]), q, 'returns the model');
    assert.deepEqual(q.keepFloat, [name]);
    assert.deepEqual(q.layers.map((l) => l.quantized), [true, false, true]);
    const r = q.reportSync();
    assert.equal(r.layers[1].name, name);
    assert.equal(r.layers[1].quantized, false);
    assert.equal(r.layers[1].isolated.sqnrDb, Infinity);
    assert.ok(Number.isFinite(r.layers[1].propagated.sqnrDb), 'the first layer’s error reaches it');
    const mixed = q.exportOnnx();
    assert.ok(mixed.length > all.length, 'a float weight is larger');
    assert.equal(r.quantizedBytes, mixed.length);
    const x = { data: testImages.data.subarray(0, 4 * PIXELS), shape: [4, 1, 28, 28] };
    assert.equal(q.runSync({ input: x }).logits.shape[0], 4);
    // Bad names are refused; the model keeps its last good conversion.
    assert.throws(() => q.setKeepFloat(name), /array of layer names/);
    assert.throws(() => q.setKeepFloat(['/fc9/Gemm']), /'\/fc9\/Gemm'/);
    assert.deepEqual(q.keepFloat, [name]);
    assert.deepEqual(q.exportOnnx(), mixed);
    assert.equal(q.reportSync().layers[1].quantized, false, 'the report still works');
    assert.deepEqual(q.recipe().keep_float, [name]);
    q.setKeepFloat([]);
    assert.deepEqual(q.exportOnnx(), all, 'the calibration is reused: the same bytes as before');
  } finally {
    q.delete();
    model.delete();
  }
});

test('fashion_cnn: the lowBits report finds layers for 4-bit weights within budget; setLayerBits applies the plan, and the file, report, recipe and onnxruntime agree', async (t) => {
  const model = await ql.loadModel(modelBytes('fashion_cnn.onnx'));
  const q = await ql.quantizeModel(model, { calibration });
  try {
    const eight = q.exportOnnx();
    const stages = new Set();
    const r = q.reportSync({ evaluation: { ...testImages, labels: testLabels }, lowBits: true, onProgress: (p) => stages.add(p.stage) });
    assert.ok(stages.has('low-bit plan'), [...stages].join(', '));
    const lb = r.lowBits;
    assert.equal(lb.bits, 4);
    assert.equal(lb.budget, 0.005);
    assert.equal(lb.quantizedBytes, eight.length);
    assert.equal(lb.floatBytes, r.floatBytes);
    assert.equal(lb.quantizedAccuracy, r.evaluation.quantizedAccuracy);
    assert.equal(lb.layers.length, 8, 'every layer is a candidate');
    for (const l of lb.layers) assert.ok(l.bytesSaved > 0 && Number.isFinite(l.drop), l.layer);
    assert.ok(lb.withinBudget);
    assert.equal(lb.steps.length, 8);
    const planned = Object.keys(lb.plan);
    assert.deepEqual(planned.sort(), lb.steps.filter((s) => s.accepted).map((s) => s.layer).sort());
    assert.ok(planned.length >= 1, 'some layer takes 4 bits within half a point');
    assert.ok(lb.floatAccuracy - lb.accuracy <= lb.budget + 1e-12);
    assert.ok(lb.bytes < lb.quantizedBytes);

    // Applied: those layers' weights at 4 bits, the rest at 8; the report measures what the search did.
    assert.equal(q.setLayerBits(lb.plan), q, 'returns the model');
    assert.deepEqual(q.layerBits, lb.plan);
    for (const l of q.layers) assert.equal(l.weightBits, planned.includes(l.name) ? 4 : 8, l.name);
    const mixed = q.exportOnnx();
    assert.equal(mixed.length, lb.bytes);
    const r2 = q.reportSync({ evaluation: { ...testImages, labels: testLabels } });
    assert.equal(r2.quantizedBytes, lb.bytes);
    assert.equal(r2.evaluation.quantizedAccuracy, lb.accuracy);
    for (const l of r2.layers) assert.equal(l.weight.bits, planned.includes(l.name) ? 4 : 8, l.name);
    const ours = await predictions((b) => q.runSync({ input: b }).logits.data);
    const ortPred = await ortPredictions(mixed, 'input', 'logits', 'all');
    const line = `fashion_cnn.onnx, 4-bit plan (${planned.length} of 8 layers): ${mixed.length} bytes (${(mixed.length / r.floatBytes).toFixed(3)}x; ` +
      `all 8-bit ${(eight.length / r.floatBytes).toFixed(3)}x), ${(100 * lb.accuracy).toFixed(1)}% (float ${(100 * lb.floatAccuracy).toFixed(1)}%), ` +
      `onnxruntime (all) / ours ${(100 * agreement(ours, ortPred)).toFixed(1)}%`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(agreement(ours, ortPred) >= MIN_ORT_AGREEMENT, line);

    // The recipe holds the per-layer bits and replays the same bytes.
    const recipe = q.recipe();
    assert.deepEqual(recipe.weights.layer_bits, lb.plan);
    const replayed = ql.applyRecipe(model, recipe);
    try {
      assert.deepEqual(replayed.exportOnnx(), mixed);
      assert.deepEqual(replayed.layerBits, lb.plan);
    } finally {
      replayed.delete();
    }

    // Bad per-layer bits are refused by name; the model keeps its last good conversion.
    assert.throws(() => q.setLayerBits(['/fc/Gemm']), /object of layer name/);
    assert.throws(() => q.setLayerBits({ '/fc9/Gemm': 4 }), /'\/fc9\/Gemm'/);
    assert.throws(() => q.setLayerBits({ '/fc/Gemm': 9 }), /\/fc\/Gemm.*2\.\.8/);
    assert.throws(() => q.setLayerBits({ '/fc/Gemm': 4.5 }), /whole number of bits/);
    assert.deepEqual(q.layerBits, lb.plan);
    assert.deepEqual(q.exportOnnx(), mixed);
    await assert.rejects(ql.quantizeModel(model, { calibration: smallCalibration, weights: { layerBits: { nope: 4 } } }), /'nope'/);
    // {} puts every layer back at 8 bits: the same bytes as before.
    q.setLayerBits({});
    assert.deepEqual(q.exportOnnx(), eight);
  } finally {
    q.delete();
    model.delete();
  }
});

test('lowBits: static mode only, and only with evaluation data', async () => {
  const model = await ql.loadModel(modelBytes('fashion_mlp.onnx'));
  const d = await ql.quantizeModel(model, { mode: 'dynamic', calibration: smallCalibration });
  const s = await ql.quantizeModel(model, { calibration: smallCalibration });
  try {
    const evaluation = { data: testImages.data.subarray(0, 50 * PIXELS), shape: [50, 1, 28, 28], labels: testLabels.slice(0, 50) };
    assert.throws(() => d.reportSync({ evaluation, lowBits: true }), /static mode/);
    assert.throws(() => s.reportSync({ lowBits: true }), /low-bit plan needs evaluation/);
    assert.throws(() => s.reportSync({ evaluation, lowBits: { budget: -1 } }), /lowBits\.budget/);
    assert.ok(s.reportSync({ evaluation, lowBits: { budget: 0.02 } }).lowBits.budget === 0.02, 'the instance still works');
  } finally {
    d.delete();
    s.delete();
    model.delete();
  }
});

test("QuantizedModel.delete() then run() throws 'deleted'; quantizeModel on a deleted Model throws", async () => {
  const model = await ql.loadModel(modelBytes('fashion_mlp.onnx'));
  const q = await ql.quantizeModel(model, { calibration: smallCalibration });
  const x = { data: testImages.data.subarray(0, PIXELS), shape: [1, 1, 28, 28] };
  q.delete();
  assert.throws(() => q.runSync({ input: x }), /deleted/);
  await assert.rejects(q.run({ input: x }), /deleted/);
  assert.throws(() => q.exportOnnx(), /deleted/);
  assert.throws(() => q.recipe(), /deleted/);
  assert.throws(() => q.reportSync(), /deleted/);
  assert.throws(() => q.setKeepFloat([]), /deleted/);
  q.delete(); // twice is fine
  const again = await ql.quantizeModel(model, { calibration: smallCalibration });
  const recipe = again.recipe();
  again.delete();
  model.delete();
  await assert.rejects(ql.quantizeModel(model, { calibration: smallCalibration }), /deleted/);
  assert.throws(() => ql.applyRecipe(model, recipe), /deleted/);
  await assert.rejects(ql.quantizeModel({ inputs: [] }, { calibration: smallCalibration }), /Model from loadModel/);
});
