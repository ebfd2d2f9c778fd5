// ModelProto → Model: the graph, its nodes and attributes, initializers,
// inputs/outputs/value_info with symbolic dims, opset imports and metadata.
//
// What the IR cannot hold is either refused by name (Unsupported: string
// tensors, sparse tensors, sequence/map/optional graph inputs and outputs) or
// kept as a marker the ops refuse later (graph and tensors attributes keep
// their kind but not their content). The reader never descends into
// sub-graphs or nested TypeProtos, so its recursion depth is fixed by the
// schema (Model → Graph → Node → Attribute → Tensor), whatever the input.
#include <optional>
#include <utility>

#include "model/onnx/decode.h"
#include "quantlab/error.h"

namespace quantlab::model::onnx {

void rethrow_with_prefix(const std::string& prefix) {
  try {
    throw;
  } catch (const Unsupported& e) {
    throw Unsupported(prefix + ": " + e.what());
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(prefix + ": " + e.what());
  } catch (const Error& e) {
    throw Error(prefix + ": " + e.what());
  }
}

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// ---- small messages ---------------------------------------------------------

OpsetImport read_opset(Span message) {
  OpsetImport o;
  WireReader r(message, kOperatorSetIdProto);
  Field f;
  while (r.next(f)) {
    if (f.number == opset_id_proto::domain) o.domain = WireReader::string(f);
    if (f.number == opset_id_proto::version) o.version = WireReader::int64(f);
  }
  return o;
}

std::pair<std::string, std::string> read_entry(Span message) {
  std::pair<std::string, std::string> e;
  WireReader r(message, kStringStringEntryProto);
  Field f;
  while (r.next(f)) {
    if (f.number == string_entry_proto::key) e.first = WireReader::string(f);
    if (f.number == string_entry_proto::value) e.second = WireReader::string(f);
  }
  return e;
}

// ---- types: TypeProto, TypeProto.Tensor, TensorShapeProto ------------------

// A TypeProto as far as the IR can hold it: tensor types in full, other kinds by name.
struct ParsedType {
  const char* kind = nullptr;  // null: no type given; "tensor", "a sequence", "a map", ...
  std::int32_t elem_type = 0;
  bool has_shape = false;
  std::vector<Dim> dims;

  static ParsedType other(const char* kind) {
    ParsedType t;
    t.kind = kind;
    return t;
  }
};

Dim read_dim(Span message) {
  Dim d;
  WireReader r(message, kDimensionProto);
  Field f;
  while (r.next(f)) {
    // dim_value and dim_param are a oneof: the last one on the wire wins.
    if (f.number == dim_proto::dim_value) {
      // Some exporters write -1 for "unknown"; the IR spells that value -1 without a name.
      d.value = WireReader::int64(f) < 0 ? -1 : WireReader::int64(f);
      d.param.clear();
    } else if (f.number == dim_proto::dim_param) {
      d.param = WireReader::string(f);
      d.value = -1;
    }
  }
  return d;
}

void read_tensor_type(Span message, ParsedType& t) {
  WireReader r(message, kTypeProtoTensor);
  Field f;
  while (r.next(f)) {
    if (f.number == tensor_type_proto::elem_type) t.elem_type = WireReader::int32(f);
    if (f.number == tensor_type_proto::shape) {
      t.has_shape = true;
      t.dims.clear();  // a repeated shape field replaces, as protobuf merges it
      WireReader s(f.payload, kTensorShapeProto);
      Field g;
      while (s.next(g))
        if (g.number == shape_proto::dim) t.dims.push_back(read_dim(g.payload));
    }
  }
}

ParsedType read_type(Span message) {
  ParsedType t;
  WireReader r(message, kTypeProto);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case type_proto::tensor_type:
        t = ParsedType{};
        t.kind = "tensor";
        read_tensor_type(f.payload, t);
        break;
      // Not descended into: the IR has no place for them (and so no recursion).
      case type_proto::sequence_type: t = ParsedType::other("a sequence"); break;
      case type_proto::map_type: t = ParsedType::other("a map"); break;
      case type_proto::optional_type: t = ParsedType::other("an optional"); break;
      case type_proto::sparse_tensor_type: t = ParsedType::other("a sparse tensor"); break;
      default: break;
    }
  }
  return t;
}

// A ValueInfoProto. Graph inputs and outputs (`strict`) must be tensors the IR
// can hold, or Unsupported names them; for value_info (hints about
// intermediate values) entries the IR cannot hold are dropped (nullopt).
std::optional<ValueInfo> read_value_info(Span message, const char* role, bool strict) {
  ValueInfo v;
  ParsedType type;
  WireReader r(message, kValueInfoProto);
  Field f;
  while (r.next(f)) {
    if (f.number == value_info_proto::name) v.name = WireReader::string(f);
    if (f.number == value_info_proto::type) type = read_type(f.payload);
    if (f.number == value_info_proto::doc_string) v.doc = WireReader::string(f);
  }
  const std::string label = std::string(role) + " " + quoted(v.name);
  if (type.kind && std::string(type.kind) != "tensor") {
    if (!strict) return std::nullopt;
    throw Unsupported(label + " is " + type.kind + "; only tensor inputs and outputs are supported");
  }
  if (type.elem_type != 0) {
    const std::string name = onnx_type_name(type.elem_type);
    if (name.empty()) throw InvalidArgument(label + ": unknown element type " + std::to_string(type.elem_type));
    if (!is_known_type(type.elem_type)) {
      if (!strict) return std::nullopt;
      throw Unsupported(label + " is a " + name + " tensor; that type is not supported");
    }
    v.type = static_cast<DataType>(type.elem_type);
  }
  v.has_shape = type.has_shape;
  v.dims = std::move(type.dims);
  return v;
}

// ---- nodes and attributes ---------------------------------------------------

using Kind = Attribute::Kind;

// The kind of an attribute written without a `type` (IR version 1): the first
// value field present, in onnx.proto's order.
std::int32_t infer_kind(const bool (&seen)[24]) {
  namespace ap = attribute_proto;
  const std::pair<std::uint32_t, std::int32_t> order[] = {
      {ap::f, 1},       {ap::i, 2},       {ap::s, 3},        {ap::t, 4},           {ap::g, 5},
      {ap::floats, 6},  {ap::ints, 7},    {ap::strings, 8},  {ap::tensors, 9},     {ap::graphs, 10},
      {ap::sparse_tensor, ap::type_sparse_tensor},             {ap::sparse_tensors, ap::type_sparse_tensors},
      {ap::tp, ap::type_type_proto},    {ap::type_protos, ap::type_type_protos},
  };
  for (const auto& [field, kind] : order)
    if (seen[field]) return kind;
  return 0;
}

Attribute read_attribute(Span message, const std::string& node_label, const ExternalDataResolver* resolver) {
  namespace ap = attribute_proto;
  Attribute a;
  bool seen[24] = {};  // value fields present, by field number
  std::int32_t type = 0;
  bool has_type = false;
  Span tensor;
  WireReader r(message, kAttributeProto);
  Field f;
  while (r.next(f)) {
    if (f.number < 24) seen[f.number] = true;
    switch (f.number) {
      case ap::name: a.name = WireReader::string(f); break;
      case ap::f: a.f = WireReader::float32(f); break;
      case ap::i: a.i = WireReader::int64(f); break;
      case ap::s: a.s = WireReader::string(f); break;
      case ap::t: tensor = f.payload; break;
      case ap::floats:
        r.each_fixed32(f, [&](std::uint32_t bits) {
          float v;
          std::memcpy(&v, &bits, sizeof v);
          a.floats.push_back(v);
        });
        break;
      case ap::ints: r.each_varint(f, [&](std::uint64_t v) { a.ints.push_back(static_cast<std::int64_t>(v)); }); break;
      case ap::strings: a.strings.push_back(WireReader::string(f)); break;
      case ap::type:
        type = WireReader::int32(f);
        has_type = true;
        break;
      default: break;  // g, graphs, tensors: only their presence is kept; doc_string, ref_attr_name: dropped
    }
  }
  const std::string label = node_label + ": attribute " + quoted(a.name);
  if (!has_type) type = infer_kind(seen);
  switch (type) {
    case ap::type_sparse_tensor: case ap::type_sparse_tensors:
      throw Unsupported(label + " holds sparse tensors, which are not supported");
    case ap::type_type_proto: case ap::type_type_protos:
      throw Unsupported(label + " holds types (TypeProto), which are not supported");
    default: break;
  }
  if (type < 0 || type > 10) throw InvalidArgument(label + " has unknown type " + std::to_string(type));
  a.kind = static_cast<Kind>(type);
  // Only the field the kind names is kept, so a read model writes back as it means.
  if (a.kind != Kind::float_) a.f = 0.0f;
  if (a.kind != Kind::int_) a.i = 0;
  if (a.kind != Kind::string) a.s.clear();
  if (a.kind != Kind::floats) a.floats.clear();
  if (a.kind != Kind::ints) a.ints.clear();
  if (a.kind != Kind::strings) a.strings.clear();
  if (a.kind == Kind::tensor) {
    if (!seen[ap::t]) throw InvalidArgument(label + " is a tensor attribute without a tensor");
    a.t = decode_tensor(tensor, [&](const std::string&) { return label; }, resolver);
  }
  return a;
}

Node read_node(Span message, std::size_t index, const ExternalDataResolver* resolver) {
  Node n;
  std::vector<Span> attributes;  // read once the node's name and op are known, for messages
  WireReader r(message, kNodeProto);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case node_proto::input: n.inputs.push_back(WireReader::string(f)); break;
      case node_proto::output: n.outputs.push_back(WireReader::string(f)); break;
      case node_proto::name: n.name = WireReader::string(f); break;
      case node_proto::op_type: n.op_type = WireReader::string(f); break;
      case node_proto::attribute: attributes.push_back(f.payload); break;
      case node_proto::domain: n.domain = WireReader::string(f); break;
      default: break;
    }
  }
  const std::string label = n.name.empty() ? n.op_type + " node #" + std::to_string(index) : n.label();
  for (const Span& a : attributes) n.attributes.push_back(read_attribute(a, label, resolver));
  return n;
}

// ---- graph and model -------------------------------------------------------

// Reads a GraphProto into `g`; a second graph field merges into the first, as in protobuf.
void read_graph(Span message, Graph& g, const ExternalDataResolver* resolver) {
  WireReader r(message, kGraphProto);
  Field f;
  std::size_t initializer_index = 0;
  while (r.next(f)) {
    switch (f.number) {
      case graph_proto::node: g.nodes.push_back(read_node(f.payload, g.nodes.size(), resolver)); break;
      case graph_proto::name: g.name = WireReader::string(f); break;
      case graph_proto::doc_string: g.doc = WireReader::string(f); break;
      case graph_proto::initializer: {
        const std::size_t index = initializer_index++;
        std::string name;
        Tensor t = decode_tensor(
            f.payload,
            [&](const std::string& n) { return n.empty() ? "initializer #" + std::to_string(index) : "initializer " + quoted(n); },
            resolver, &name);
        if (name.empty()) throw InvalidArgument("initializer #" + std::to_string(index) + " has no name");
        if (!g.initializers.emplace(name, std::move(t)).second)
          throw InvalidArgument("two initializers are named " + quoted(name));
        break;
      }
      case graph_proto::sparse_initializer:
        throw Unsupported("the graph has sparse initializers, which are not supported");
      case graph_proto::input: g.inputs.push_back(*read_value_info(f.payload, "graph input", true)); break;
      case graph_proto::output: g.outputs.push_back(*read_value_info(f.payload, "graph output", true)); break;
      case graph_proto::value_info:
        if (auto v = read_value_info(f.payload, "value_info", false)) g.value_info.push_back(std::move(*v));
        break;
      default: break;  // quantization_annotation
    }
  }
}

Model read_model(Span input, const ExternalDataResolver* resolver) {
  if (input.size == 0) throw InvalidArgument("empty file: not an ONNX model");
  check_first_field(input, kModelProto, "an ONNX model");
  Model m;
  m.ir_version = 0;  // absent means 0 in the file, not the IR's default for new models
  bool has_graph = false;
  WireReader r(input, kModelProto);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case model_proto::ir_version: m.ir_version = WireReader::int64(f); break;
      case model_proto::producer_name: m.producer_name = WireReader::string(f); break;
      case model_proto::producer_version: m.producer_version = WireReader::string(f); break;
      case model_proto::domain: m.domain = WireReader::string(f); break;
      case model_proto::model_version: m.model_version = WireReader::int64(f); break;
      case model_proto::doc_string: m.doc = WireReader::string(f); break;
      case model_proto::graph:
        read_graph(f.payload, m.graph, resolver);
        has_graph = true;
        break;
      case model_proto::opset_import: m.opsets.push_back(read_opset(f.payload)); break;
      case model_proto::metadata_props: m.metadata.push_back(read_entry(f.payload)); break;
      default: break;  // training_info, functions: not used by quantlab
    }
  }
  if (!has_graph) throw InvalidArgument("the model has no graph");
  return m;
}

}  // namespace
}  // namespace quantlab::model::onnx

namespace quantlab::model {

Model read_onnx(const std::uint8_t* data, std::size_t size, const ExternalDataResolver& resolver) {
  if (!data && size) throw InvalidArgument("read_onnx: null data");
  return onnx::read_model(onnx::Span::whole(data, size), resolver ? &resolver : nullptr);
}

Tensor read_tensor_proto(const std::uint8_t* data, std::size_t size, std::string* name) {
  if (!data && size) throw InvalidArgument("read_tensor_proto: null data");
  if (size == 0) throw InvalidArgument("empty input: not a TensorProto");
  const onnx::Span input = onnx::Span::whole(data, size);
  onnx::check_first_field(input, onnx::kTensorProto, "a TensorProto");
  return onnx::decode_tensor(
      input, [](const std::string& n) { return n.empty() ? std::string("tensor") : "tensor '" + n + "'"; }, nullptr,
      name);
}

}  // namespace quantlab::model
