// The npm API for number formats, against the built package in dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from 'quantlab';

const ql = await init();

test('floatBits(85.125) is the course example, field by field', () => {
  const b = ql.floatBits(85.125, 'fp32');
  assert.equal(b.format, 'fp32');
  assert.equal(b.bits, '01000010101010100100000000000000');
  assert.equal(b.hex, '0x42aa4000');
  assert.equal(b.sign, 0);
  assert.equal(b.exponent_bits, '10000101');
  assert.equal(b.mantissa_bits, '01010100100000000000000');
  assert.equal(b.exponent, 6);
  assert.equal(b.class, 'normal');
  assert.equal(b.stored_value, 85.125);
  assert.equal(b.error, 0);
  const byId = Object.fromEntries(b.steps.map((s) => [s.id, s.value]));
  assert.equal(byId.integer_part, '1010101');
  assert.equal(byId.fraction_part, '.001');
  assert.equal(byId.normalized, '1.010101001 × 2^6');
  assert.equal(byId.biased_exponent, '10000101');
  assert.equal(byId.pattern, '0 10000101 01010100100000000000000');
});

test('floatBits defaults to fp32 and accepts numeric text', () => {
  assert.equal(ql.floatBits('85.125').bits, ql.floatBits(85.125, 'fp32').bits);
  assert.equal(ql.floatBits('-inf', 'fp16').class, 'infinity');
  assert.equal(ql.floatBits('nan', 'bf16').class, 'nan');
  assert.ok(Object.is(ql.floatBits('-0', 'fp16').stored_value, -0));
});

test('fp8 saturates by default as ONNX Cast does, and not when asked', () => {
  assert.equal(ql.floatBits(1e6, 'fp8_e4m3').stored_value, 448);
  assert.equal(ql.floatBits(1e6, 'fp8_e4m3').overflowed, true);
  assert.equal(ql.floatBits(1e6, 'fp8_e4m3', { saturate: false }).class, 'nan');
  assert.equal(ql.floatBits(1e6, 'fp8_e5m2').stored_value, 57344);
  assert.equal(ql.floatBits(1e6, 'fp8_e5m2', { saturate: false }).stored_value, Infinity);
  assert.equal(ql.floatBits(Infinity, 'fp8_e5m2').stored_value, 57344);
});

test('non-finite numbers cross the boundary as real NaN and Infinity', () => {
  const inf = ql.floatBits(1e300, 'fp32');
  assert.equal(inf.stored_value, Infinity);
  assert.equal(inf.overflowed, true);
  assert.ok(Number.isNaN(ql.floatBits(NaN, 'fp16').stored_value));
  assert.ok(Number.isNaN(ql.floatBits(Infinity, 'fp16').ulp));
});

test('decodeBits explains a pattern given as bits or as a number', () => {
  const inf = ql.decodeBits('0111110000000000', 'fp16');
  assert.equal(inf.class, 'infinity');
  assert.equal(ql.decodeBits(0x42aa4000, 'fp32').stored_value, 85.125);
  assert.equal(ql.decodeBits('00000001', 'fp8_e4m3').stored_value, 2 ** -9);
  assert.equal(ql.decodeBits('11111111', 'int8').stored_value, -1);
  assert.ok(ql.decodeBits(0x42aa4000, 'fp32').steps.some((s) => s.id === 'exponent'));
});

test('integer formats round half to even and clamp', () => {
  assert.equal(ql.floatBits(2.5, 'int8').stored_value, 2);
  assert.equal(ql.floatBits(-3.7, 'int8').bits, '11111100');
  assert.equal(ql.floatBits(300, 'int8').stored_value, 127);
  assert.equal(ql.floatBits(-1, 'uint4').stored_value, 0);
});

test('formatInfo and floatFormats describe every format', () => {
  assert.deepEqual(ql.floatFormats(), ['fp32', 'fp16', 'bf16', 'fp8_e4m3', 'fp8_e5m2']);
  const h = ql.formatInfo('fp16');
  assert.equal(h.max_finite, 65504);
  assert.equal(h.min_subnormal, 2 ** -24);
  assert.equal(h.has_infinity, true);
  assert.equal(ql.formatInfo('fp8_e4m3').has_infinity, false);
  assert.equal(ql.formatInfo('int4').lowest, -8);
  assert.equal(typeof ql.version, 'string');
});

test('bad input throws an Error with a message, never aborts', () => {
  assert.throws(() => ql.floatBits('abc'), { name: 'Error', message: /'abc' is not a number/ });
  assert.throws(() => ql.floatBits(1, 'fp64'), { message: /unknown format 'fp64'/ });
  assert.throws(() => ql.floatBits(NaN, 'int8'), { message: /NaN has no representation in int8/ });
  assert.throws(() => ql.floatBits(1, 'int17'), { message: /2 to 16 bits/ });
  assert.throws(() => ql.decodeBits('0101', 'fp16'), { message: /expected exactly 16 characters/ });
  assert.throws(() => ql.decodeBits(0x1ffff, 'fp16'), { message: /is not a pattern of fp16/ });
  assert.throws(() => ql.floatBits({}), { message: /must be a number or a numeric string/ });
  assert.throws(() => ql.floatBits(1, 42), { message: /format must be a string/ });
  assert.throws(() => ql.floatBits(1, 'fp8_e4m3', { saturate: 'yes' }), { message: /saturate/ });
  // The same instance keeps working afterwards.
  assert.equal(ql.floatBits(85.125).hex, '0x42aa4000');
});

test('the error path does not leak: 20,000 failing calls leave the heap as it was', () => {
  const storm = () => {
    for (let i = 0; i < 20000; i++) {
      assert.throws(() => ql.floatBits(`not a number ${i}, with a message too long for small-string storage`, 'fp16'));
    }
  };
  storm(); // let allocator caches settle
  const before = ql.memoryInUse();
  storm();
  assert.equal(ql.memoryInUse(), before);
  assert.equal(ql.floatBits(1).stored_value, 1);
});

test('two instances are independent', async () => {
  const other = await init();
  assert.throws(() => other.floatBits('x'));
  assert.equal(ql.floatBits(0.5).bits, '00111111000000000000000000000000');
});
