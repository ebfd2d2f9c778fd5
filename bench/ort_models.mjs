// The onnxruntime-web side of the benchmark: MatMul (fp32), MatMulInteger and
// QLinearMatMul models of a given M×K×N, with B (the weights) as an
// initializer so onnxruntime can pre-pack it once, as our kernels do.
import { DataType, encodeSingleNodeModel } from './onnx_model.mjs';

/** Deterministic pseudo-random bytes / floats (xorshift32), so runs are repeatable. */
export function randomSource(seed = 0x2545f491) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    uint8: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
    int8: (n) => Int8Array.from({ length: n }, () => ((next() & 0xff) << 24) >> 24),
    float: (n) => Float32Array.from({ length: n }, () => (next() / 0xffffffff) * 2 - 1),
  };
}

const scalar = (name, dataType, value) => {
  const Ctor = { [DataType.FLOAT]: Float32Array, [DataType.UINT8]: Uint8Array, [DataType.INT8]: Int8Array }[dataType];
  return { name, dataType, dims: [], data: Ctor.of(value) };
};

/**
 * The ONNX model bytes and a feed for one operator at M×K×N.
 * @param {'MatMul'|'MatMulInteger'|'QLinearMatMul'} opType
 */
export function buildOrtCase(opType, m, k, n, rand = randomSource()) {
  const A = { name: 'A', dims: [m, k] };
  const Y = { name: 'Y', dims: [m, n] };
  if (opType === 'MatMul') {
    const model = encodeSingleNodeModel({
      opType,
      inputs: [{ ...A, dataType: DataType.FLOAT }],
      initializers: [{ name: 'B', dataType: DataType.FLOAT, dims: [k, n], data: rand.float(k * n) }],
      nodeInputs: ['A', 'B'],
      outputs: [{ ...Y, dataType: DataType.FLOAT }],
    });
    return { model, feed: { A: ['float32', rand.float(m * k), [m, k]] } };
  }
  if (opType === 'MatMulInteger') {
    const model = encodeSingleNodeModel({
      opType,
      inputs: [{ ...A, dataType: DataType.UINT8 }],
      initializers: [
        { name: 'B', dataType: DataType.INT8, dims: [k, n], data: rand.int8(k * n) },
        scalar('a_zero_point', DataType.UINT8, 128),
        scalar('b_zero_point', DataType.INT8, 0),
      ],
      nodeInputs: ['A', 'B', 'a_zero_point', 'b_zero_point'],
      outputs: [{ ...Y, dataType: DataType.INT32 }],
    });
    return { model, feed: { A: ['uint8', rand.uint8(m * k), [m, k]] } };
  }
  if (opType === 'QLinearMatMul') {
    const model = encodeSingleNodeModel({
      opType,
      inputs: [{ ...A, dataType: DataType.UINT8 }],
      initializers: [
        scalar('a_scale', DataType.FLOAT, 0.02),
        scalar('a_zero_point', DataType.UINT8, 128),
        { name: 'B', dataType: DataType.INT8, dims: [k, n], data: rand.int8(k * n) },
        scalar('b_scale', DataType.FLOAT, 0.01),
        scalar('b_zero_point', DataType.INT8, 0),
        scalar('y_scale', DataType.FLOAT, 0.5),
        scalar('y_zero_point', DataType.UINT8, 128),
      ],
      nodeInputs: ['A', 'a_scale', 'a_zero_point', 'B', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'],
      outputs: [{ ...Y, dataType: DataType.UINT8 }],
    });
    return { model, feed: { A: ['uint8', rand.uint8(m * k), [m, k]] } };
  }
  throw new Error(`unknown operator ${opType}`);
}
