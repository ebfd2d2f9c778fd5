// Model → ModelProto bytes. Deterministic: fields in onnx.proto's field-number
// order, initializers in the IR's (sorted) map order, every tensor inline as
// raw_data. Repeated scalars are written unpacked, as onnx.proto (proto2)
// declares them, so the bytes match what the protobuf library writes.
#include <cstdint>
#include <string>
#include <vector>

#include "model/onnx/wire.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"

namespace quantlab::model::onnx {
namespace {

// Each write_* is a template over the sink (ByteCounter or ByteAppender) so
// WireWriter::message can size a nested message before writing it.

template <class W>
void write_tensor(W& w, const Tensor& t, const std::string& name, const std::string& label) {
  namespace tp = tensor_proto;
  if (t.empty()) throw InvalidArgument(label + ": the tensor has no type");
  for (const std::int64_t d : t.shape()) w.int64(tp::dims, d);
  w.int64(tp::data_type, static_cast<std::int64_t>(t.type()));
  if (!name.empty()) w.string(tp::name, name);
  if (!is_4bit(t.type())) {
    w.bytes(tp::raw_data, t.bytes(), t.byte_size());
    return;
  }
  // Two values per byte, the first in the low nibble (onnx.proto).
  const bool is_signed = t.type() == DataType::int4;
  const int lo = is_signed ? -8 : 0, hi = is_signed ? 7 : 15;
  std::vector<std::uint8_t> packed(static_cast<std::size_t>(t.packed_byte_size()), 0);
  for (std::size_t i = 0; i < static_cast<std::size_t>(t.size()); ++i) {
    const int v = is_signed ? static_cast<std::int8_t>(t.bytes()[i]) : t.bytes()[i];
    if (v < lo || v > hi)
      throw InvalidArgument(label + ": value " + std::to_string(v) + " at index " + std::to_string(i) + " is not " +
                            type_name(t.type()));
    packed[i / 2] |= static_cast<std::uint8_t>((static_cast<unsigned>(v) & 0xFu) << (4 * (i % 2)));
  }
  w.bytes(tp::raw_data, packed.data(), packed.size());
}

template <class W>
void write_dim(W& w, const Dim& d) {
  if (!d.param.empty()) w.string(dim_proto::dim_param, d.param);
  else if (d.value >= 0) w.int64(dim_proto::dim_value, d.value);
  // else unknown: an empty Dimension
}

template <class W>
void write_value_info(W& w, const ValueInfo& v) {
  w.string(value_info_proto::name, v.name);
  if (v.type != DataType::undefined || v.has_shape) {
    w.message(value_info_proto::type, [&](auto& type) {
      type.message(type_proto::tensor_type, [&](auto& tensor) {
        if (v.type != DataType::undefined) tensor.int64(tensor_type_proto::elem_type, static_cast<std::int64_t>(v.type));
        if (v.has_shape) {
          tensor.message(tensor_type_proto::shape, [&](auto& shape) {
            for (const Dim& d : v.dims) shape.message(shape_proto::dim, [&](auto& dim) { write_dim(dim, d); });
          });
        }
      });
    });
  }
  if (!v.doc.empty()) w.string(value_info_proto::doc_string, v.doc);
}

template <class W>
void write_attribute(W& w, const Attribute& a, const std::string& node_label) {
  namespace ap = attribute_proto;
  using Kind = Attribute::Kind;
  const std::string label = node_label + ": attribute '" + a.name + "'";
  w.string(ap::name, a.name);
  switch (a.kind) {
    case Kind::float_: w.float32(ap::f, a.f); break;
    case Kind::int_: w.int64(ap::i, a.i); break;
    case Kind::string: w.string(ap::s, a.s); break;
    case Kind::tensor: w.message(ap::t, [&](auto& t) { write_tensor(t, a.t, "", label); }); break;
    case Kind::floats:
      for (const float v : a.floats) w.float32(ap::floats, v);
      break;
    case Kind::ints:
      for (const std::int64_t v : a.ints) w.int64(ap::ints, v);
      break;
    case Kind::strings:
      for (const std::string& s : a.strings) w.string(ap::strings, s);
      break;
    case Kind::graph: case Kind::graphs: case Kind::tensors:
      // The reader keeps only the kind of these; writing them would silently
      // produce a model without its sub-graphs.
      throw Unsupported(label + " is a " + kind_name(a.kind) +
                        " attribute, whose content quantlab does not keep; the model cannot be written");
    case Kind::undefined: break;
  }
  w.int64(ap::type, static_cast<std::int64_t>(a.kind));
}

template <class W>
void write_node(W& w, const Node& n, std::size_t index) {
  namespace np = node_proto;
  for (const std::string& in : n.inputs) w.string(np::input, in);
  for (const std::string& out : n.outputs) w.string(np::output, out);
  if (!n.name.empty()) w.string(np::name, n.name);
  w.string(np::op_type, n.op_type);
  const std::string label = n.name.empty() ? n.op_type + " node #" + std::to_string(index) : n.label();
  for (const Attribute& a : n.attributes) w.message(np::attribute, [&](auto& m) { write_attribute(m, a, label); });
  if (!n.domain.empty()) w.string(np::domain, n.domain);
}

template <class W>
void write_graph(W& w, const Graph& g) {
  namespace gp = graph_proto;
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    w.message(gp::node, [&](auto& m) { write_node(m, g.nodes[i], i); });
  if (!g.name.empty()) w.string(gp::name, g.name);
  for (const auto& entry : g.initializers) {  // a lambda cannot capture a structured binding in C++17
    const std::string& name = entry.first;
    w.message(gp::initializer, [&](auto& m) { write_tensor(m, entry.second, name, "initializer '" + name + "'"); });
  }
  if (!g.doc.empty()) w.string(gp::doc_string, g.doc);
  for (const ValueInfo& v : g.inputs) w.message(gp::input, [&](auto& m) { write_value_info(m, v); });
  for (const ValueInfo& v : g.outputs) w.message(gp::output, [&](auto& m) { write_value_info(m, v); });
  for (const ValueInfo& v : g.value_info) w.message(gp::value_info, [&](auto& m) { write_value_info(m, v); });
}

template <class W>
void write_model(W& w, const Model& m) {
  namespace mp = model_proto;
  w.int64(mp::ir_version, m.ir_version);
  if (!m.producer_name.empty()) w.string(mp::producer_name, m.producer_name);
  if (!m.producer_version.empty()) w.string(mp::producer_version, m.producer_version);
  if (!m.domain.empty()) w.string(mp::domain, m.domain);
  if (m.model_version != 0) w.int64(mp::model_version, m.model_version);
  if (!m.doc.empty()) w.string(mp::doc_string, m.doc);
  w.message(mp::graph, [&](auto& g) { write_graph(g, m.graph); });
  for (const OpsetImport& o : m.opsets) {
    w.message(mp::opset_import, [&](auto& s) {
      if (!o.domain.empty()) s.string(opset_id_proto::domain, o.domain);
      s.int64(opset_id_proto::version, o.version);
    });
  }
  for (const auto& entry : m.metadata) {
    w.message(mp::metadata_props, [&](auto& e) {
      e.string(string_entry_proto::key, entry.first);
      e.string(string_entry_proto::value, entry.second);
    });
  }
}

// Sizes the message first so the output is allocated once.
template <class Write>
std::vector<std::uint8_t> serialize(Write&& write) {
  ByteCounter counter;
  WireWriter<ByteCounter> sizer(counter);
  write(sizer);
  std::vector<std::uint8_t> out;
  out.reserve(counter.size());
  ByteAppender appender(out);
  WireWriter<ByteAppender> writer(appender);
  write(writer);
  return out;
}

}  // namespace
}  // namespace quantlab::model::onnx

namespace quantlab::model {

std::vector<std::uint8_t> write_onnx(const Model& model) {
  return onnx::serialize([&](auto& w) { onnx::write_model(w, model); });
}

std::vector<std::uint8_t> write_tensor_proto(const Tensor& tensor, const std::string& name) {
  const std::string label = name.empty() ? std::string("tensor") : "tensor '" + name + "'";
  return onnx::serialize([&](auto& w) { onnx::write_tensor(w, tensor, name, label); });
}

}  // namespace quantlab::model
