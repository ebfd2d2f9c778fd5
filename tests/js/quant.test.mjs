// The npm quantization API against PyTorch's fixtures (the same file the
// GoogleTest suite embeds), plus observers, error handling and leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init } from 'quantlab';

const ql = await init();
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/torch/quant_reference.json', import.meta.url), 'utf8'));

// JS uses the npm option names; the fixture's spec uses the core's.
const optionsOf = (spec) => ({
  scheme: spec.scheme,
  bits: spec.bits,
  signed: spec.is_signed,
  narrowRange: spec.narrow_range,
  granularity: spec.granularity,
  axis: spec.axis,
});

// Float32 results are compared bit for bit: the maths is the same sequence
// of float32 operations as PyTorch's.
test(`quantParams / quantize / fakeQuantize equal PyTorch on ${fixtures.observer_cases.length} observer cases`, () => {
  for (const c of fixtures.observer_cases) {
    const input = fixtures.inputs[c.input];
    const x = { data: Float32Array.from(input.values), shape: input.shape };
    const p = ql.quantParams(x, optionsOf(c.spec));
    assert.deepEqual(Array.from(p.scale), c.scale.map(Math.fround), c.name);
    assert.deepEqual(Array.from(p.zeroPoint), c.zero_point, c.name);
    // torch.quantize_per_tensor clamps to the dtype's range even when the
    // observer reduced it (reduce_range); fake-quantize uses the observer's.
    assert.deepEqual(Array.from(ql.quantize(x, { ...p, qmin: c.dtype_min, qmax: c.dtype_max }).data), c.q, c.name);
    assert.deepEqual(Array.from(ql.fakeQuantize(x, optionsOf(c.spec)).data), c.fake_quant.map(Math.fround), c.name);
  }
});

test('dequantize(quantize(x)) is within half a step of x inside the grid', () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
  const p = ql.quantParams(x, { scheme: 'symmetric', bits: 8 });
  const xhat = ql.dequantize(ql.quantize(x, p), p).data;
  // PyTorch's symmetric grid is s·[-128, 127] with s = max|x| / 127.5, so the
  // top of the range is clipped by half a step: check inside the grid.
  const top = p.scale[0] * p.qmax;
  let checked = 0;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) > top) continue;
    assert.ok(Math.abs(xhat[i] - x[i]) <= p.scale[0] / 2 + 1e-6, `${x[i]} → ${xhat[i]}`);
    checked++;
  }
  assert.ok(checked > 900, `only ${checked} values inside the grid`);
});

test('histogram observers beat min-max on data with outliers at 4 bits', () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x = Float32Array.from({ length: 20000 }, () => {
    const u = rand() - 0.5;
    return -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)); // Laplace(0, 1)
  });
  const mseOf = (observer) => {
    const xhat = ql.fakeQuantize(x, { scheme: 'symmetric', bits: 4, observer }).data;
    return ql.errorStats(x, xhat).mse;
  };
  const minmax = mseOf('minmax');
  for (const observer of ['percentile', 'mse', 'entropy']) {
    assert.ok(mseOf(observer) < minmax, `${observer} ${mseOf(observer)} vs minmax ${minmax}`);
  }
});

test('an observer accumulates batches and reports its histogram', () => {
  const obs = ql.createObserver({ observer: 'minmax', scheme: 'asymmetric' });
  obs.observe([0, 1]).observe(new Float32Array([-2, 0.5, NaN]));
  const p = obs.params();
  assert.deepEqual([p.range.min[0], p.range.max[0]], [-2, 1]);
  assert.equal(p.nonfiniteCount, 1);
  assert.deepEqual(obs.stats, { slots: 1, batches: 2, nonfiniteCount: 1 });
  const h = obs.histogram();
  assert.equal(h.edges.length, h.counts.length + 1);
  assert.equal(h.total, 4);
  obs.delete();
  assert.throws(() => obs.observe([1]), { message: /deleted/ });
  obs.delete(); // twice is harmless
});

test('per-channel observers give one scale per channel', () => {
  const obs = ql.createObserver({ scheme: 'symmetric', granularity: 'channel', axis: 1 });
  obs.observe({ data: [1, -4, 2, 8], shape: [2, 2] });
  assert.deepEqual(Array.from(obs.params().scale), [2 / 127.5, 8 / 127.5].map(Math.fround));
  assert.equal(obs.histogram(1).max, 8);
  assert.throws(() => obs.histogram(2), { message: /slot 2/ });
  obs.delete();
});

test('errorStats gives every metric', () => {
  const e = ql.errorStats([1, 2, 3, 4], [1, 2, 3, 5]);
  assert.equal(e.mse, 0.25);
  assert.equal(e.maxAbsError, 1);
  assert.ok(Math.abs(e.sqnrDb - 10 * Math.log10(30)) < 1e-9);
  assert.equal(ql.errorStats([1, 2], [1, 2]).sqnrDb, Infinity);
});

test('bad quantization input throws a clear Error and the instance survives', () => {
  const x = new Float32Array([1, 2, 3, 4]);
  const cases = [
    [() => ql.quantParams(x, { bits: 9 }), /bits/],
    [() => ql.quantParams(x, { bitz: 8 }), /unknown option 'bitz'/],
    [() => ql.quantParams(x, { observer: 'magic' }), /unknown observer 'magic'/],
    [() => ql.quantParams({ data: x, shape: [3] }), /shape holds 3 elements but data has 4/],
    [() => ql.quantParams({ data: x, shape: [2, -2] }), /shape\[1\] must be an integer/],
    [() => ql.quantParams({ data: x, shape: [2, 2] }, { granularity: 'channel', axis: 2 }), /axis 2/],
    [() => ql.quantParams(x, { granularity: 'group', groupSize: 3 }), /group/],
    [() => ql.quantParams(x, { scheme: 'diagonal' }), /scheme/],
    [() => ql.quantize(x, null), /params/],
    [() => ql.quantize([NaN], ql.quantParams(x)), /NaN/],
    [() => ql.errorStats([1, 2], [1]), /./],
    [() => ql.createObserver({ observer: 'percentile', percentile: 20 }).observe(x).params(), /percentile/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, message);
  assert.equal(ql.quantParams(x).qmax, 255);
});

test('quantization error paths and observers do not leak', () => {
  const x = Float32Array.from({ length: 64 }, (_, i) => i / 7);
  const round = () => {
    for (let i = 0; i < 300; i++) {
      assert.throws(() => ql.quantParams({ data: x, shape: [65] }));
      const obs = ql.createObserver({ observer: 'entropy', bins: 256 });
      obs.observe(x);
      obs.params();
      obs.delete();
      ql.fakeQuantize(x, { bits: 4 });
    }
  };
  round();
  const before = ql.memoryInUse();
  round();
  assert.equal(ql.memoryInUse(), before);
});
