// The CLI's quantization commands, end to end: `quantlab qparams` and
// `quantlab quantize` on .npy files written here, checked against PyTorch's
// values (tests/fixtures/torch/quant_reference.json) and against their own
// outputs; bad input exits with code 2 and one line on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npyBytes, readNpy as readNpyFile } from './lib/npy.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
// QUANTLAB_CLI runs the same tests against another build, e.g. build/sanitize/quantlab.
const CLI = process.env.QUANTLAB_CLI ?? join(ROOT, 'build/native/quantlab');
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/torch/quant_reference.json'), 'utf8'));
const skip = existsSync(CLI) ? false : `${CLI} is not built (cmake --build build/native)`;

const work = mkdtempSync(join(tmpdir(), 'quantlab-cli-quant-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
let fileCount = 0;

// ------------------------------------------------------------ .npy in and out

/** Writes an array to a fresh .npy file and returns its path. */
function writeNpy(shape, values, descr = '<f4', options = {}) {
  const path = join(work, `in${fileCount++}.npy`);
  writeFileSync(path, npyBytes(descr, shape, values, options));
  return path;
}

/** Reads a .npy file the CLI wrote: { descr, shape, values }. */
function readNpy(path) {
  const { descr, shape, data } = readNpyFile(path);
  return { descr, shape, values: Array.from(data) };
}

function run(...args) {
  const r = spawnSync(CLI, args.map(String), { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runJson(...args) {
  const r = run(...args, '--json');
  assert.equal(r.status, 0, `quantlab ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Bad input: exit 2, nothing on stdout, exactly one line on stderr that contains `needle`. */
function assertRejected(args, needle) {
  const r = run(...args);
  assert.equal(r.status, 2, `quantlab ${args.join(' ')} should exit 2, got ${r.status}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^[^\n]+\n$/, `one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.ok(r.stderr.includes(needle), `stderr ${JSON.stringify(r.stderr)} should mention ${JSON.stringify(needle)}`);
}

const fround = Math.fround;

// ---------------------------------------------------- against PyTorch's values

/** CLI options for a fixture case's spec. */
function specOptions(spec) {
  const o = ['--scheme', spec.scheme, '--bits', spec.bits];
  o.push(spec.is_signed ? '--signed' : '--unsigned');
  if (spec.narrow_range) o.push('--narrow-range');
  if (spec.granularity === 'channel') o.push('--per-channel', spec.axis);
  return o;
}

function fixtureCase(name) {
  const c = FIXTURE.observer_cases.find((x) => x.name === name);
  assert.ok(c, `fixture case ${name}`);
  return c;
}

const TORCH_CASES = [
  'normal_3x4x5 / MinMaxObserver(per_tensor_affine, quint8, reduce_range=False)',
  'normal_3x4x5 / MinMaxObserver(per_tensor_symmetric, qint8, reduce_range=False)',
  'uniform_8x6 / PerChannelMinMaxObserver(per_channel_symmetric, qint8, ch_axis=1, reduce_range=False)',
  'laplace_7x3x2 / PerChannelMinMaxObserver(per_channel_affine, quint8, ch_axis=0, reduce_range=False)',
  'ties_4x16 / MinMaxObserver(per_tensor_affine, quint8, reduce_range=False)',
  'relu_5x6 / MinMaxObserver(per_tensor_symmetric, qint8, quant_min=-127, quant_max=127)',
];

test('qparams and quantize give PyTorch MinMaxObserver / PerChannelMinMaxObserver scales, zero points and codes', { skip }, () => {
  for (const name of TORCH_CASES) {
    const c = fixtureCase(name);
    const input = FIXTURE.inputs[c.input];
    const x = writeNpy(input.shape, input.values);
    const p = runJson('qparams', x, ...specOptions(c.spec));
    assert.deepEqual(p.scale.map(fround), c.scale.map(fround), name);
    assert.deepEqual(p.zero_point, c.zero_point, name);
    assert.deepEqual([p.qmin, p.qmax], [c.quant_min, c.quant_max], name);
    // These cases' data lie inside the observer's grid, so clamping to it (the
    // CLI) or to the dtype's range (torch.quantize_per_*) gives the same codes.
    const out = join(work, `q${fileCount++}.npy`);
    const q = runJson('quantize', x, ...specOptions(c.spec), '--out', out);
    assert.deepEqual(q.scale, p.scale);
    assert.deepEqual(readNpy(out).values, c.q, name);
  }
});

test('qparams over several batch files follows PyTorch MovingAverageMinMaxObserver', { skip }, () => {
  const files = FIXTURE.batches.map((b) => writeNpy(b.shape, b.values));
  for (const rc of FIXTURE.running_cases) {
    const last = rc.steps.at(-1);
    const options = [...specOptions(rc.spec), '--observer', rc.observer];
    if (rc.observer === 'moving_average') options.push('--momentum', rc.averaging_constant);
    const p = runJson('qparams', ...files, ...options);
    assert.equal(p.batches, files.length);
    assert.deepEqual(p.range.min.map(fround), last.min.map(fround), rc.name);
    assert.deepEqual(p.range.max.map(fround), last.max.map(fround), rc.name);
    assert.deepEqual(p.scale.map(fround), last.scale.map(fround), rc.name);
    assert.deepEqual(p.zero_point, last.zero_point, rc.name);
  }
});

// ------------------------------------------------------------- own consistency

test('quantize writes the narrowest code dtype and x-hat = scale·(q − zero point), and reports consistent metrics', { skip }, () => {
  const values = Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7) * (1 + i / 8));
  const x = writeNpy([5, 8], values);
  for (const [options, dtype] of [
    [[], '|u1'],
    [['--signed'], '|i1'],
    [['--scheme', 'symmetric'], '|i1'],
    [['--bits', 4, '--unsigned'], '|u1'],
    [['--bits', 16, '--signed'], '<i2'],
    [['--bits', 16, '--unsigned'], '<u2'],
  ]) {
    const qPath = join(work, `q${fileCount++}.npy`);
    const xhatPath = join(work, `xhat${fileCount++}.npy`);
    const r = runJson('quantize', x, ...options, '--out', qPath, '--dequant-out', xhatPath);
    const q = readNpy(qPath);
    const xhat = readNpy(xhatPath);
    assert.equal(q.descr, dtype, options.join(' '));
    assert.deepEqual(q.shape, [5, 8]);
    assert.equal(xhat.descr, '<f4');
    const [s, z] = [r.scale[0], r.zero_point[0]];
    q.values.forEach((code, i) => {
      assert.ok(code >= r.qmin && code <= r.qmax);
      assert.equal(xhat.values[i], fround(fround(code - z) * fround(s)), `element ${i}`);
    });
    const xs = values.map(fround);
    const se = xs.map((v, i) => (xhat.values[i] - v) ** 2).reduce((a, b) => a + b, 0);
    const signal = xs.map((v) => v * v).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(r.mse - se / xs.length) <= 1e-12 * Math.max(1, r.mse), options.join(' '));
    assert.ok(Math.abs(r.rmse - Math.sqrt(r.mse)) < 1e-15);
    assert.ok(Math.abs(r.sqnr_db - 10 * Math.log10(signal / se)) < 1e-9);
    assert.ok(r.max_abs_error <= s / 2 + 1e-7, 'min-max range: every value within half a step');
    assert.ok(r.cosine > 0.99 && r.cosine <= 1);
    assert.equal(r.code_dtype, dtype === '|i1' ? 'int8' : dtype === '|u1' ? 'uint8' : dtype === '<i2' ? 'int16' : 'uint16');
  }
});

test('float64 and Fortran-order inputs give the same result as float32 C-order ones', { skip }, () => {
  const values = [0.5, -1.25, 3.0, 2.75, -0.1, 0.3];  // exact in float32 except 0.1 and 0.3
  const rowMajor = writeNpy([2, 3], values.map(fround));
  const double = writeNpy([2, 3], values.map(fround), '<f8');
  // The same 2×3 array stored column by column.
  const columnMajor = writeNpy([2, 3], [0, 3, 1, 4, 2, 5].map((i) => values[i]), '<f4', { fortran: true });
  const want = runJson('quantize', rowMajor, '--per-channel', 1, '--out', join(work, 'qa.npy'));
  for (const file of [double, columnMajor]) {
    const got = runJson('quantize', file, '--per-channel', 1, '--out', join(work, 'qb.npy'));
    assert.deepEqual(got.scale, want.scale);
    assert.deepEqual(got.zero_point, want.zero_point);
    assert.deepEqual(readNpy(join(work, 'qb.npy')).values, readNpy(join(work, 'qa.npy')).values);
  }
});

test('options shape the grid: bits, sign, narrow range, per channel and per group', { skip }, () => {
  const x = writeNpy([4, 6], Array.from({ length: 24 }, (_, i) => i - 10.5));
  assert.deepEqual(runJson('qparams', x).param_shape, [1]);
  const p4 = runJson('qparams', x, '--bits', 4, '--unsigned');
  assert.deepEqual([p4.qmin, p4.qmax], [0, 15]);
  const narrow = runJson('qparams', x, '--narrow-range', '--scheme', 'symmetric');
  assert.deepEqual([narrow.qmin, narrow.qmax, narrow.zero_point[0]], [-127, 127, 0]);
  assert.equal(narrow.scale[0], fround(fround(12.5) / 127));
  const channel = runJson('qparams', x, '--per-channel', -1);
  assert.equal(channel.scale.length, 6);
  assert.equal(channel.axis, 1);
  const group = runJson('qparams', x, '--group-size', 3, '--axis', 1);
  assert.deepEqual(group.param_shape, [4, 2]);
  assert.equal(group.scale.length, 8);
  assert.equal(group.granularity, 'group');
  const groupOnChannelAxis = runJson('qparams', x, '--group-size', 2, '--per-channel', 0);
  assert.deepEqual(groupOnChannelAxis.param_shape, [2, 6]);
  for (const observer of ['minmax', 'moving_average', 'percentile', 'mse', 'entropy']) {
    const r = runJson('qparams', x, '--observer', observer);
    assert.equal(r.observer, observer);
    assert.ok(r.scale[0] > 0);
  }
});

test('all-zero data: scale is float32 eps, x-hat is exactly zero, SQNR is "inf"', { skip }, () => {
  const r = runJson('quantize', writeNpy([3], [0, 0, 0]));
  assert.equal(r.scale[0], 2 ** -23);
  assert.equal(r.mse, 0);
  assert.equal(r.sqnr_db, 'inf');
  assert.equal(r.cosine, 1);
});

test('stochastic rounding is reproducible with --seed', { skip }, () => {
  const x = writeNpy([64], Array.from({ length: 64 }, (_, i) => i / 7));
  const codes = (seed) => {
    const out = join(work, `s${fileCount++}.npy`);
    runJson('quantize', x, '--rounding', 'stochastic', '--seed', seed, '--bits', 4, '--out', out);
    return readNpy(out).values;
  };
  assert.deepEqual(codes(1), codes(1));
  assert.notDeepEqual(codes(1), codes(2));
});

test('without --json the commands print readable text', { skip }, () => {
  const x = writeNpy([3], [1, -2, 3]);
  const r = run('quantize', x, '--scheme', 'symmetric');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /symmetric int8 per tensor/);
  assert.match(r.stdout, /scale\s+0\.0235294/);
  assert.match(r.stdout, /sqnr\s+\d/);
});

// ------------------------------------------------------------------ bad input

test('bad files exit 2 with one line naming the problem', { skip }, () => {
  const good = writeNpy([2, 3], [1, 2, 3, 4, 5, 6]);
  const ints = writeNpy([3], [1, 2, 3], '<i4');
  const text = join(work, 'text.npy');
  writeFileSync(text, 'not a numpy file at all');
  const truncated = join(work, 'truncated.npy');
  writeFileSync(truncated, npyBytes('<f4', [100], new Array(100).fill(1)).subarray(0, 200));
  const lying = join(work, 'lying.npy');  // a huge shape over 12 bytes of data
  writeFileSync(lying, npyBytes('<f4', [1e12], []));
  const empty = writeNpy([0], []);
  const nan = writeNpy([3], [1, NaN, 2]);
  assertRejected(['qparams', ints, '--signed', '--unsigned'], 'give --signed or --unsigned, not both');
  assertRejected(['qparams', join(work, 'missing.npy')], 'cannot open');
  assertRejected(['qparams', ints], "dtype '<i4' is not supported; expected float32 ('<f4') or float64 ('<f8')");
  assertRejected(['qparams', text], 'not a NumPy .npy file');
  assertRejected(['qparams', truncated], 'needs 100 values');
  assertRejected(['qparams', lying], 'needs 1000000000000 values');
  assertRejected(['qparams', empty], 'the array is empty');
  assertRejected(['quantize', nan], 'cannot quantize NaN (element 1)');
  assertRejected(['qparams'], 'expected one or more .npy files');
  assertRejected(['quantize', good, good], 'expected exactly one .npy file');
  assertRejected(['quantize', good, '--out', join(work, 'no/such/dir/q.npy')], 'cannot open the file for writing');
});

test('bad options exit 2 with one line naming the problem', { skip }, () => {
  const x = writeNpy([2, 3], [1, 2, 3, 4, 5, 6]);
  assertRejected(['qparams', x, '--bits', 9], 'bits must be 2..8 or 16, got 9');
  assertRejected(['qparams', x, '--bits', '8x'], '--bits needs an integer');
  assertRejected(['qparams', x, '--per-channel', 2], 'per-channel axis 2 does not exist in shape [2, 3]');
  assertRejected(['qparams', x, '--group-size', 2, '--axis', 1], 'group size 2 does not divide the length 3 of axis 1');
  assertRejected(['qparams', x, '--group-size', 0, '--axis', 1], 'group size must be positive');
  assertRejected(['qparams', x, '--group-size', 3], '--group-size needs the axis');
  assertRejected(['qparams', x, '--axis', 1], '--axis goes with --group-size');
  assertRejected(['qparams', x, '--observer', 'kl'], "unknown observer 'kl'");
  assertRejected(['qparams', x, '--scheme', 'affine'], "unknown scheme 'affine'");
  assertRejected(['qparams', x, '--observer', 'percentile', '--percentile', 20], 'percentile must be in 50..100');
  assertRejected(['qparams', x, '--percentile', 99], '--percentile goes with --observer percentile');
  assertRejected(['qparams', x, '--observer', 'moving_average', '--momentum', 2], 'momentum must be in (0, 1]');
  assertRejected(['qparams', x, '--group-size', 3, '--axis', 1, '--observer', 'mse'], 'per-group parameters use the minmax observer');
  assertRejected(['qparams', x, '--rounding', 'half_away'], 'unknown option --rounding');
  assertRejected(['quantize', x, '--rounding', 'nearest'], "unknown rounding 'nearest'");
  assertRejected(['quantize', x, '--seed', 3], '--seed goes with --rounding stochastic');
  assertRejected(['qparams', x, '--bins', 3, '--observer', 'mse'], 'histogram bins must be in 4..');
});
