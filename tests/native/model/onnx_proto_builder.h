// A tiny protobuf encoder for tests: builds exact wire bytes (packed or not,
// canonical or deliberately broken) independently of the code under test.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace quantlab::model::test {

class Proto {
 public:
  std::vector<std::uint8_t> bytes;

  Proto& tag(std::uint32_t field, int wire) { return raw_varint((std::uint64_t{field} << 3) | static_cast<unsigned>(wire)); }
  Proto& raw_varint(std::uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  Proto& raw(const std::vector<std::uint8_t>& b) {
    bytes.insert(bytes.end(), b.begin(), b.end());
    return *this;
  }

  Proto& varint(std::uint32_t field, std::uint64_t v) { return tag(field, 0).raw_varint(v); }
  Proto& int64(std::uint32_t field, std::int64_t v) { return varint(field, static_cast<std::uint64_t>(v)); }
  Proto& fixed32(std::uint32_t field, std::uint32_t v) {
    tag(field, 5);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Proto& fixed64(std::uint32_t field, std::uint64_t v) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Proto& f32(std::uint32_t field, float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return fixed32(field, bits);
  }
  Proto& f64(std::uint32_t field, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return fixed64(field, bits);
  }
  Proto& str(std::uint32_t field, const std::string& s) {
    tag(field, 2).raw_varint(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }
  Proto& blob(std::uint32_t field, const std::vector<std::uint8_t>& b) {
    tag(field, 2).raw_varint(b.size());
    return raw(b);
  }
  Proto& message(std::uint32_t field, const Proto& m) { return blob(field, m.bytes); }

  // Packed runs (proto3 style).
  Proto& packed_varints(std::uint32_t field, const std::vector<std::int64_t>& values) {
    Proto run;
    for (const std::int64_t v : values) run.raw_varint(static_cast<std::uint64_t>(v));
    return blob(field, run.bytes);
  }
  Proto& packed_floats(std::uint32_t field, const std::vector<float>& values) {
    std::vector<std::uint8_t> run(values.size() * 4);
    if (!values.empty()) std::memcpy(run.data(), values.data(), run.size());
    return blob(field, run);
  }
  Proto& packed_doubles(std::uint32_t field, const std::vector<double>& values) {
    std::vector<std::uint8_t> run(values.size() * 8);
    if (!values.empty()) std::memcpy(run.data(), values.data(), run.size());
    return blob(field, run);
  }
};

// ---- onnx.proto messages with their field numbers ---------------------------

/// A TensorProto header: dims (unpacked, as proto2 writes them), data_type, name.
inline Proto tensor_proto(const std::string& name, int data_type, const std::vector<std::int64_t>& dims) {
  Proto t;
  for (const std::int64_t d : dims) t.int64(1, d);
  t.int64(2, data_type);
  if (!name.empty()) t.str(8, name);
  return t;
}

inline Proto raw_tensor_proto(const std::string& name, int data_type, const std::vector<std::int64_t>& dims,
                              const std::vector<std::uint8_t>& raw) {
  Proto t = tensor_proto(name, data_type, dims);
  t.blob(9, raw);
  return t;
}

/// A ValueInfoProto of a tensor: dims >= 0 are values, -1 unknown; `params` name symbolic dims.
inline Proto tensor_value_info(const std::string& name, int elem_type, const std::vector<std::int64_t>& dims) {
  Proto shape;
  for (const std::int64_t d : dims) {
    Proto dim;
    if (d >= 0) dim.int64(1, d);
    shape.message(1, dim);
  }
  Proto tensor_type;
  tensor_type.int64(1, elem_type).message(2, shape);
  Proto type;
  type.message(1, tensor_type);
  Proto v;
  v.str(1, name).message(2, type);
  return v;
}

/// A ModelProto: ir_version 8, the graph, opset 13.
inline Proto model_proto(const Proto& graph) {
  Proto opset;
  opset.int64(2, 13);
  Proto m;
  m.int64(1, 8).message(7, graph).message(8, opset);
  return m;
}

/// A graph with one initializer.
inline Proto graph_with_initializer(const Proto& tensor) {
  Proto g;
  g.str(2, "g").message(5, tensor);
  return g;
}

/// A graph with one node (op "Op") carrying the given AttributeProto.
inline Proto graph_with_attribute(const Proto& attribute) {
  Proto node;
  node.str(1, "x").str(2, "y").str(3, "n").str(4, "Op").message(5, attribute);
  Proto g;
  g.message(1, node).str(2, "g");
  return g;
}

}  // namespace quantlab::model::test
