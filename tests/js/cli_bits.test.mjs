// `quantlab bits` on the native CLI (build/native/quantlab, built by npm test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const CLI = new URL('../../build/native/quantlab', import.meta.url).pathname;
const cli = (...args) => spawnSync(CLI, args, { encoding: 'utf8' });

test('bits --json gives the course example with every documented field', () => {
  const r = cli('bits', '85.125', '--json');
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  for (const key of ['format', 'bits', 'sign', 'exponent_bits', 'mantissa_bits', 'exponent', 'class', 'stored_value', 'error', 'steps']) {
    assert.ok(key in o, `missing ${key}`);
  }
  assert.equal(o.format, 'fp32');
  assert.equal(o.bits, '01000010101010100100000000000000');
  assert.equal(o.exponent, 6);
  assert.equal(o.steps.find((s) => s.id === 'pattern').value, '0 10000101 01010100100000000000000');
});

test('bits agrees with the npm package for every format', async () => {
  const { init } = await import('quantlab');
  const ql = await init();
  for (const format of ['fp32', 'fp16', 'bf16', 'fp8_e4m3', 'fp8_e5m2', 'int8', 'uint4']) {
    for (const value of ['0.1', '-3.75', '1e-7', '65519', '300']) {
      const o = JSON.parse(cli('bits', value, '--format', format, '--json').stdout);
      const js = ql.floatBits(value, format);
      assert.equal(o.bits, js.bits, `${value} ${format}`);
      assert.deepEqual(o.steps, js.steps, `${value} ${format}`);
    }
  }
});

test('fp8 saturates by default; --no-saturate gives NaN (E4M3) or Inf (E5M2)', () => {
  assert.equal(JSON.parse(cli('bits', '1000', '--format', 'fp8_e4m3', '--json').stdout).stored_value, 448);
  assert.equal(JSON.parse(cli('bits', '1000', '--format', 'fp8_e4m3', '--no-saturate', '--json').stdout).stored_value, 'nan');
  assert.equal(JSON.parse(cli('bits', '1e6', '--format', 'fp8_e5m2', '--no-saturate', '--json').stdout).stored_value, 'inf');
});

test('text output shows the fields and the walkthrough', () => {
  const r = cli('bits', '85.125');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /0 10000101 01010100100000000000000/);
  assert.match(r.stdout, /127 \+ 6 = 133/);
});

test('bad input: exit code 2 and exactly one line on stderr', () => {
  const cases = [
    [['bits', 'abc'], /'abc' is not a number/],
    [['bits', '1', '--format', 'fp64'], /unknown format 'fp64'/],
    [['bits', 'nan', '--format', 'int8'], /NaN has no representation in int8/],
    [['bits'], /expected exactly one value/],
    [['bits', '1', '--format'], /--format needs a value/],
    [['bits', '1', '--bogus'], /unknown option --bogus/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});
