// A minimal ONNX protobuf writer: one ModelProto holding one node, its graph
// inputs/outputs and initializers. Enough for the benchmark's MatMul,
// MatMulInteger and QLinearMatMul models; nothing else of ONNX is needed here.
//
// Wire format (protobuf): each field is a key varint (field_number << 3 | wire_type)
// then a varint (wire type 0) or a length-delimited payload (wire type 2).
// Field numbers are those of onnx/onnx.proto (cited beside each writer).

/** ONNX TensorProto.DataType values used by the benchmark. */
export const DataType = Object.freeze({ FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9 });

class Writer {
  constructor() {
    this.bytes = [];
  }
  varint(value) {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n; // int64 negatives are 10-byte two's complement varints
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (v !== 0n);
    return this;
  }
  key(field, wireType) {
    return this.varint((field << 3) | wireType);
  }
  int(field, value) {
    return this.key(field, 0).varint(value);
  }
  bytesField(field, payload) {
    this.key(field, 2).varint(payload.length);
    for (const b of payload) this.bytes.push(b);
    return this;
  }
  string(field, text) {
    return this.bytesField(field, new TextEncoder().encode(text));
  }
  message(field, writer) {
    return this.bytesField(field, writer.finish());
  }
  finish() {
    return Uint8Array.from(this.bytes);
  }
}

// TensorProto: dims = 1 (repeated int64), data_type = 2, name = 8, raw_data = 9.
function tensorProto({ name, dataType, dims, data }) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, dataType);
  w.string(8, name);
  w.bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return w;
}

// ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1.
// TypeProto.Tensor: elem_type = 1, shape = 2. TensorShapeProto: dim = 1.
// Dimension: dim_value = 1.
function valueInfo({ name, dataType, dims }) {
  const shape = new Writer();
  for (const d of dims) shape.message(1, new Writer().int(1, d));
  const tensorType = new Writer().int(1, dataType).message(2, shape);
  const type = new Writer().message(1, tensorType);
  return new Writer().string(1, name).message(2, type);
}

// NodeProto: input = 1, output = 2, name = 3, op_type = 4.
function nodeProto({ opType, inputs, outputs }) {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, `${opType}_0`);
  w.string(4, opType);
  return w;
}

/**
 * Encodes a one-node model.
 * @param {{ opType: string, opset?: number, inputs: {name, dataType, dims}[],
 *           initializers: {name, dataType, dims, data: ArrayBufferView}[],
 *           nodeInputs: string[], outputs: {name, dataType, dims}[] }} spec
 * @returns {Uint8Array} the ModelProto bytes
 */
export function encodeSingleNodeModel(spec) {
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  const graph = new Writer();
  graph.message(1, nodeProto({ opType: spec.opType, inputs: spec.nodeInputs, outputs: spec.outputs.map((o) => o.name) }));
  graph.string(2, `${spec.opType}_graph`);
  for (const t of spec.initializers) graph.message(5, tensorProto(t));
  for (const i of spec.inputs) graph.message(11, valueInfo(i));
  for (const o of spec.outputs) graph.message(12, valueInfo(o));
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
  // OperatorSetIdProto: domain = 1, version = 2.
  const model = new Writer();
  model.int(1, 8);
  model.string(2, 'quantlab-bench');
  model.message(7, graph);
  model.message(8, new Writer().string(1, '').int(2, spec.opset ?? 13));
  return model.finish();
}
