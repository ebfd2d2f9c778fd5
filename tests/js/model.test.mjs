// The npm model API: loadModel / run / nodes / delete on the bundled
// Fashion-MNIST models, against PyTorch's logits and accuracy (written by
// models/train/train_fashion_mnist.py), and bad input of every kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { init } from 'quantlab';
import { encodeSingleNodeModel, DataType } from '../../bench/onnx_model.mjs';
import { readNpy } from './lib/npy.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const ql = await init();
const manifest = JSON.parse(readFileSync(join(ROOT, 'models/models.json'), 'utf8'));
const images = readNpy(join(ROOT, 'models/data/test_images_u8.npy'));
const labels = readNpy(join(ROOT, 'models/data/test_labels.npy'));
const { mean, std } = manifest.input_preprocessing;

/** Images first..first+count as the models' float input: (pixel / 255 - mean) / std. */
function batch(first, count) {
  const per = 28 * 28;
  const data = new Float32Array(count * per);
  for (let i = 0; i < data.length; i += 1) data[i] = (images.data[first * per + i] / 255 - mean) / std;
  return { data, shape: [count, 1, 28, 28] };
}

const argmax = (row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

for (const entry of manifest.models) {
  const bytes = readFileSync(join(ROOT, 'models', entry.file));

  test(`${entry.file}: inputs, outputs and layer list`, async () => {
    const model = await ql.loadModel(bytes);
    try {
      assert.equal(model.inputs.length, 1);
      assert.equal(model.inputs[0].name, entry.input.name);
      assert.deepEqual(model.inputs[0].shape.slice(1), [1, 28, 28]);
      assert.equal(typeof model.inputs[0].shape[0], 'string', 'symbolic batch dimension');
      assert.equal(model.outputs[0].name, entry.output.name);
      // Initializer elements: PyTorch's count plus BatchNorm's running mean and variance.
      assert.ok(model.parameters >= entry.parameters, `${model.parameters} >= ${entry.parameters}`);
      const ops = new Set(model.nodes.map((n) => n.op));
      for (const op of entry.op_types) assert.ok(ops.has(op), `${op} in the layer list`);
      const heavy = model.nodes.filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.op));
      assert.ok(heavy.length > 0);
      for (const n of heavy) {
        assert.ok(n.parameters > 0 && n.flops > 0, `${n.name} has parameters and FLOPs`);
        assert.equal(n.outputShapes[0][0], 1, 'shapes shown for batch 1');
      }
      const last = model.nodes.at(-1);
      assert.deepEqual(last.outputShapes[0], [1, 10]);
    } finally {
      model.delete();
    }
  });

  test(`${entry.file}: logits equal PyTorch's on 64 test images`, async () => {
    const refFile = join(ROOT, 'models/data', `reference_logits_${entry.id}.npy`);
    assert.ok(existsSync(refFile), refFile);
    const ref = readNpy(refFile);
    const model = await ql.loadModel(bytes);
    try {
      const out = (await model.run({ [entry.input.name]: batch(0, 64) }))[entry.output.name];
      assert.deepEqual(out.shape, [64, 10]);
      assert.ok(out.data instanceof Float32Array);
      let worst = 0;
      for (let i = 0; i < out.data.length; i += 1) worst = Math.max(worst, Math.abs(out.data[i] - ref.data[i]));
      // fp32 sums in another order than PyTorch's: a few ulps of logits of size ~10.
      assert.ok(worst < 1e-4, `max |ours - torch| = ${worst}`);
    } finally {
      model.delete();
    }
  });

  test(`${entry.file}: accuracy on the 1,000 bundled test images equals PyTorch's`, async () => {
    const model = await ql.loadModel(bytes);
    try {
      let correct = 0;
      for (let first = 0; first < 1000; first += 100) {
        const logits = model.runSync({ [entry.input.name]: batch(first, 100) })[entry.output.name].data;
        for (let i = 0; i < 100; i += 1) correct += argmax(logits.subarray(i * 10, i * 10 + 10)) === Number(labels.data[first + i]);
      }
      const accuracy = (100 * correct) / 1000;
      assert.ok(Math.abs(accuracy - entry.accuracy.fp32_bundled_test) <= 0.1, `ours ${accuracy}%, PyTorch ${entry.accuracy.fp32_bundled_test}%`);
    } finally {
      model.delete();
    }
  });
}

test('a batch of any size runs; a wrong input shape or type is refused by name and the model keeps working', async () => {
  const entry = manifest.models[0];
  const model = await ql.loadModel(readFileSync(join(ROOT, 'models', entry.file)));
  const name = entry.input.name;
  try {
    assert.deepEqual((await model.run({ [name]: batch(0, 3) }))[entry.output.name].shape, [3, 10]);
    await assert.rejects(model.run({ [name]: { data: new Float32Array(28 * 28), shape: [1, 28, 28] } }), /input 'input' must have shape .*1×28×28, got 1×28×28/);
    await assert.rejects(model.run({ [name]: { data: new Float32Array(10), shape: [1, 1, 28, 28] } }), /needs 784 values, got 10/);
    await assert.rejects(model.run({ [name]: { data: new Int32Array(784), shape: [1, 1, 28, 28] } }), /must be float, got int32/);
    await assert.rejects(model.run({}), /input 'input' is missing/);
    await assert.rejects(model.run({ nope: batch(0, 1) }), /the model has no input 'nope'/);
    assert.deepEqual((await model.run({ [name]: batch(5, 1) }))[entry.output.name].shape, [1, 10]);
  } finally {
    model.delete();
  }
  assert.throws(() => model.runSync({ [name]: batch(0, 1) }), /deleted/);
});

test('inputs go by name in any order, outputs keep their types, and a failed run leaves nothing for the next', async () => {
  const f32 = (name) => ({ name, dataType: DataType.FLOAT, dims: [2, 3] });
  const add = await ql.loadModel(encodeSingleNodeModel({ opType: 'Add', inputs: [f32('a'), f32('b')], initializers: [], nodeInputs: ['a', 'b'], outputs: [f32('sum')] }));
  const bool = (name) => ({ name, dataType: DataType.BOOL, dims: [2, 3] });
  const identity = await ql.loadModel(encodeSingleNodeModel({ opType: 'Identity', inputs: [bool('mask')], initializers: [], nodeInputs: ['mask'], outputs: [bool('same')] }));
  const shape = await ql.loadModel(
    encodeSingleNodeModel({ opType: 'Shape', inputs: [f32('a')], initializers: [], nodeInputs: ['a'], outputs: [{ name: 'dims', dataType: DataType.INT64, dims: [2] }] }),
  );
  const a = { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] };
  const b = { data: new Float32Array([6, 5, 4, 3, 2, 1]), shape: [2, 3] };
  try {
    const sum = (await add.run({ b, a })).sum;
    assert.deepEqual([...sum.data], [7, 7, 7, 7, 7, 7]);
    assert.deepEqual(sum.shape, [2, 3]);
    assert.equal(sum.type, 'float32');
    const same = (await identity.run({ mask: { data: new Uint8Array([0, 0, 0, 1, 1, 1]), shape: [2, 3], type: 'bool' } })).same;
    assert.equal(same.type, 'bool');
    assert.deepEqual([...same.data], [0, 0, 0, 1, 1, 1]);
    const dims = (await shape.run({ a })).dims;
    assert.equal(dims.type, 'int64');
    assert.deepEqual([...dims.data], [2n, 3n]);
    // The failed run staged 'a' before refusing 'b'; the next run must not see it.
    await assert.rejects(add.run({ a, b: { data: new Float32Array(5), shape: [2, 3] } }), /input 'b': shape 2×3 needs 6 values, got 5/);
    await assert.rejects(add.run({ b }), /input 'a' is missing/);
    await assert.rejects(add.run({}), /input 'a' is missing/);
    // A Node Buffer is a Uint8Array: typed as uint8, refused by the float input.
    await assert.rejects(add.run({ a: { data: Buffer.alloc(6), shape: [2, 3] }, b }), /input 'a' must be float, got uint8/);
    await assert.rejects(add.run({ a, b: { data: b.data, shape: [2, 3.5] } }), /input 'b': shape entries must be integers >= 0/);
    await assert.rejects(add.run({ a, b: { data: b.data, shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] } }), /input 'b': rank 9 is above 8/);
    assert.deepEqual([...(await add.run({ a, b })).sum.data], [7, 7, 7, 7, 7, 7]);
  } finally {
    add.delete();
    identity.delete();
    shape.delete();
  }
});

test('runs stay correct when wasm memory grows between and during them', async () => {
  const entry = manifest.models[0];
  const fresh = await init();  // its memory is still at the initial size
  const model = await fresh.loadModel(readFileSync(join(ROOT, 'models', entry.file)));
  try {
    const small = (await model.run({ [entry.input.name]: batch(0, 2) }))[entry.output.name];
    // A batch this large makes the core grow its memory, detaching every old view of it.
    const big = (await model.run({ [entry.input.name]: batch(0, 512) }))[entry.output.name];
    assert.deepEqual(big.shape, [512, 10]);
    assert.deepEqual([...big.data.subarray(0, 20)], [...small.data]);
    const again = (await model.run({ [entry.input.name]: batch(0, 2) }))[entry.output.name];
    assert.deepEqual([...again.data], [...small.data]);
  } finally {
    model.delete();
  }
});

test('corrupt, truncated and foreign files are refused with a message; the instance keeps working', async () => {
  const good = readFileSync(join(ROOT, 'models', manifest.models[0].file));
  await assert.rejects(ql.loadModel(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), Error);
  await assert.rejects(ql.loadModel(good.subarray(0, good.length >> 1)), /truncat|length|bytes/i);
  await assert.rejects(ql.loadModel(new Uint8Array(0)), Error);
  await assert.rejects(ql.loadModel('model.onnx'), /Uint8Array/);
  // Random byte flips: an error or a model, never a crash.
  let seed = 7;
  for (let trial = 0; trial < 40; trial += 1) {
    const bad = new Uint8Array(good.subarray(0, 4096));
    for (let k = 0; k < 8; k += 1) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bad[seed % bad.length] ^= 1 << (seed >>> 29);
    }
    try {
      ql.loadModelSync(bad).delete();
    } catch (e) {
      assert.ok(e instanceof Error && e.message.length > 0);
    }
  }
  const model = await ql.loadModel(good);
  assert.equal(model.outputs.length, 1);
  model.delete();
});

test('unsupported operators are named with their nodes before anything runs', async () => {
  const bytes = encodeSingleNodeModel({
    opType: 'LSTM',
    inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 4] }],
    initializers: [],
    nodeInputs: ['x'],
    outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 1, 4] }],
  });
  await assert.rejects(ql.loadModel(bytes), /unsupported operator: LSTM \(node 'LSTM_0'\)/);
  assert.ok(ql.supportedOps().includes('QLinearConv'));
});

test('external data comes from options.externalData, by the file name the model uses', async () => {
  const dir = join(ROOT, 'tests/fixtures/onnx');
  const onnx = readFileSync(join(dir, 'external_data.onnx'));
  const data = readFileSync(join(dir, 'external_data.bin'));
  await assert.rejects(ql.loadModel(onnx), /external data/);
  const model = await ql.loadModel(onnx, { externalData: { 'external_data.bin': data } });
  assert.ok(model.nodes.length > 0);
  model.delete();
});

test('loading and deleting models leaks no wasm memory', async () => {
  const bytes = readFileSync(join(ROOT, 'models', manifest.models.at(-1).file));
  (await ql.loadModel(bytes)).delete();
  const before = ql.memoryInUse();
  for (let i = 0; i < 5; i += 1) {
    const m = await ql.loadModel(bytes);
    await m.run({ [manifest.models.at(-1).input.name]: batch(0, 2) });
    m.delete();
    await assert.rejects(ql.loadModel(bytes.subarray(0, 100)), Error);
  }
  assert.equal(ql.memoryInUse(), before);
});
