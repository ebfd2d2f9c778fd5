// The reader's message schemas: names and encodings of the fields of onnx.proto
// that quantlab reads or skips knowingly. A known field with the wrong wire
// type is reported as corrupt; unknown fields are skipped.
#include "model/onnx/schema.h"

namespace quantlab::model::onnx {
namespace {

template <std::size_t N>
constexpr MessageSchema schema(const char* name, const FieldInfo (&fields)[N]) {
  return MessageSchema{name, fields, N};
}

using K = FieldKind;

const FieldInfo kModelFields[] = {
    {model_proto::ir_version, "ir_version", K::varint},
    {model_proto::producer_name, "producer_name", K::bytes},
    {model_proto::producer_version, "producer_version", K::bytes},
    {model_proto::domain, "domain", K::bytes},
    {model_proto::model_version, "model_version", K::varint},
    {model_proto::doc_string, "doc_string", K::bytes},
    {model_proto::graph, "graph", K::bytes},
    {model_proto::opset_import, "opset_import", K::bytes},
    {model_proto::metadata_props, "metadata_props", K::bytes},
    {model_proto::training_info, "training_info", K::bytes},
    {model_proto::functions, "functions", K::bytes},
};

const FieldInfo kOpsetFields[] = {
    {opset_id_proto::domain, "domain", K::bytes},
    {opset_id_proto::version, "version", K::varint},
};

const FieldInfo kEntryFields[] = {
    {string_entry_proto::key, "key", K::bytes},
    {string_entry_proto::value, "value", K::bytes},
};

const FieldInfo kGraphFields[] = {
    {graph_proto::node, "node", K::bytes},
    {graph_proto::name, "name", K::bytes},
    {graph_proto::initializer, "initializer", K::bytes},
    {graph_proto::doc_string, "doc_string", K::bytes},
    {graph_proto::input, "input", K::bytes},
    {graph_proto::output, "output", K::bytes},
    {graph_proto::value_info, "value_info", K::bytes},
    {graph_proto::quantization_annotation, "quantization_annotation", K::bytes},
    {graph_proto::sparse_initializer, "sparse_initializer", K::bytes},
};

const FieldInfo kNodeFields[] = {
    {node_proto::input, "input", K::bytes},
    {node_proto::output, "output", K::bytes},
    {node_proto::name, "name", K::bytes},
    {node_proto::op_type, "op_type", K::bytes},
    {node_proto::attribute, "attribute", K::bytes},
    {node_proto::doc_string, "doc_string", K::bytes},
    {node_proto::domain, "domain", K::bytes},
};

const FieldInfo kAttributeFields[] = {
    {attribute_proto::name, "name", K::bytes},
    {attribute_proto::f, "f", K::fixed32},
    {attribute_proto::i, "i", K::varint},
    {attribute_proto::s, "s", K::bytes},
    {attribute_proto::t, "t", K::bytes},
    {attribute_proto::g, "g", K::bytes},
    {attribute_proto::floats, "floats", K::repeated_fixed32},
    {attribute_proto::ints, "ints", K::repeated_varint},
    {attribute_proto::strings, "strings", K::bytes},
    {attribute_proto::tensors, "tensors", K::bytes},
    {attribute_proto::graphs, "graphs", K::bytes},
    {attribute_proto::doc_string, "doc_string", K::bytes},
    {attribute_proto::tp, "tp", K::bytes},
    {attribute_proto::type_protos, "type_protos", K::bytes},
    {attribute_proto::type, "type", K::varint},
    {attribute_proto::ref_attr_name, "ref_attr_name", K::bytes},
    {attribute_proto::sparse_tensor, "sparse_tensor", K::bytes},
    {attribute_proto::sparse_tensors, "sparse_tensors", K::bytes},
};

const FieldInfo kValueInfoFields[] = {
    {value_info_proto::name, "name", K::bytes},
    {value_info_proto::type, "type", K::bytes},
    {value_info_proto::doc_string, "doc_string", K::bytes},
};

const FieldInfo kTypeFields[] = {
    {type_proto::tensor_type, "tensor_type", K::bytes},
    {type_proto::sequence_type, "sequence_type", K::bytes},
    {type_proto::map_type, "map_type", K::bytes},
    {type_proto::denotation, "denotation", K::bytes},
    {type_proto::sparse_tensor_type, "sparse_tensor_type", K::bytes},
    {type_proto::optional_type, "optional_type", K::bytes},
};

const FieldInfo kTypeTensorFields[] = {
    {tensor_type_proto::elem_type, "elem_type", K::varint},
    {tensor_type_proto::shape, "shape", K::bytes},
};

const FieldInfo kShapeFields[] = {
    {shape_proto::dim, "dim", K::bytes},
};

const FieldInfo kDimensionFields[] = {
    {dim_proto::dim_value, "dim_value", K::varint},
    {dim_proto::dim_param, "dim_param", K::bytes},
    {dim_proto::denotation, "denotation", K::bytes},
};

const FieldInfo kTensorFields[] = {
    {tensor_proto::dims, "dims", K::repeated_varint},
    {tensor_proto::data_type, "data_type", K::varint},
    {tensor_proto::segment, "segment", K::bytes},
    {tensor_proto::float_data, "float_data", K::repeated_fixed32},
    {tensor_proto::int32_data, "int32_data", K::repeated_varint},
    {tensor_proto::string_data, "string_data", K::bytes},
    {tensor_proto::int64_data, "int64_data", K::repeated_varint},
    {tensor_proto::name, "name", K::bytes},
    {tensor_proto::raw_data, "raw_data", K::bytes},
    {tensor_proto::double_data, "double_data", K::repeated_fixed64},
    {tensor_proto::uint64_data, "uint64_data", K::repeated_varint},
    {tensor_proto::doc_string, "doc_string", K::bytes},
    {tensor_proto::external_data, "external_data", K::bytes},
    {tensor_proto::data_location, "data_location", K::varint},
};

}  // namespace

const MessageSchema kModelProto = schema("ModelProto", kModelFields);
const MessageSchema kOperatorSetIdProto = schema("OperatorSetIdProto", kOpsetFields);
const MessageSchema kStringStringEntryProto = schema("StringStringEntryProto", kEntryFields);
const MessageSchema kGraphProto = schema("GraphProto", kGraphFields);
const MessageSchema kNodeProto = schema("NodeProto", kNodeFields);
const MessageSchema kAttributeProto = schema("AttributeProto", kAttributeFields);
const MessageSchema kValueInfoProto = schema("ValueInfoProto", kValueInfoFields);
const MessageSchema kTypeProto = schema("TypeProto", kTypeFields);
const MessageSchema kTypeProtoTensor = schema("TypeProto.Tensor", kTypeTensorFields);
const MessageSchema kTensorShapeProto = schema("TensorShapeProto", kShapeFields);
const MessageSchema kDimensionProto = schema("TensorShapeProto.Dimension", kDimensionFields);
const MessageSchema kTensorProto = schema("TensorProto", kTensorFields);

}  // namespace quantlab::model::onnx
