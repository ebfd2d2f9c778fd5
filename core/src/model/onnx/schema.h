// core/src/model/onnx/schema.h — the ONNX messages quantlab reads and writes:
// field numbers and, for the reader's messages, each field's name and encoding.
//
// Field numbers come from onnx.proto (onnx 1.12, IR version 8). Only the
// fields quantlab uses are named; every other field is skipped when read.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quantlab::model::onnx {

/// @brief How a field is encoded on the wire, as the schema declares it. The
/// repeated scalars accept both their own wire type (one element per field,
/// the proto2 default) and a packed length-delimited run (proto3, [packed=true]).
enum class FieldKind : std::uint8_t { varint, fixed32, fixed64, bytes, repeated_varint, repeated_fixed32, repeated_fixed64 };

struct FieldInfo {
  std::uint32_t number;
  const char* name;
  FieldKind kind;
};

/// @brief A message's name and known fields, for validating wire types and for
/// error messages ("field 'graph' of ModelProto").
struct MessageSchema {
  const char* name;
  const FieldInfo* fields;
  std::size_t field_count;

  const FieldInfo* find(std::uint32_t number) const {
    for (std::size_t i = 0; i < field_count; ++i)
      if (fields[i].number == number) return &fields[i];
    return nullptr;
  }
};

// ---- field numbers --------------------------------------------------------

namespace model_proto {
enum : std::uint32_t {
  ir_version = 1, producer_name = 2, producer_version = 3, domain = 4, model_version = 5, doc_string = 6,
  graph = 7, opset_import = 8, metadata_props = 14, training_info = 20, functions = 25,
};
}
namespace opset_id_proto {
enum : std::uint32_t { domain = 1, version = 2 };
}
namespace string_entry_proto {
enum : std::uint32_t { key = 1, value = 2 };
}
namespace graph_proto {
enum : std::uint32_t {
  node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12, value_info = 13,
  quantization_annotation = 14, sparse_initializer = 15,
};
}
namespace node_proto {
enum : std::uint32_t { input = 1, output = 2, name = 3, op_type = 4, attribute = 5, doc_string = 6, domain = 7 };
}
namespace attribute_proto {
enum : std::uint32_t {
  name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, strings = 9, tensors = 10, graphs = 11,
  doc_string = 13, tp = 14, type_protos = 15, type = 20, ref_attr_name = 21, sparse_tensor = 22, sparse_tensors = 23,
};
/// AttributeProto.AttributeType values that quantlab::model::Attribute::Kind lacks.
enum : std::int32_t { type_sparse_tensor = 11, type_sparse_tensors = 12, type_type_proto = 13, type_type_protos = 14 };
}  // namespace attribute_proto
namespace value_info_proto {
enum : std::uint32_t { name = 1, type = 2, doc_string = 3 };
}
namespace type_proto {
enum : std::uint32_t {
  tensor_type = 1, sequence_type = 4, map_type = 5, denotation = 6, sparse_tensor_type = 8, optional_type = 9,
};
}
namespace tensor_type_proto {  // TypeProto.Tensor
enum : std::uint32_t { elem_type = 1, shape = 2 };
}
namespace shape_proto {  // TensorShapeProto
enum : std::uint32_t { dim = 1 };
}
namespace dim_proto {  // TensorShapeProto.Dimension
enum : std::uint32_t { dim_value = 1, dim_param = 2, denotation = 3 };
}
namespace tensor_proto {
enum : std::uint32_t {
  dims = 1, data_type = 2, segment = 3, float_data = 4, int32_data = 5, string_data = 6, int64_data = 7, name = 8,
  raw_data = 9, double_data = 10, uint64_data = 11, doc_string = 12, external_data = 13, data_location = 14,
};
/// TensorProto.DataLocation.
enum : std::int32_t { location_default = 0, location_external = 1 };
}  // namespace tensor_proto

// ---- schemas of the messages the reader parses ----------------------------

extern const MessageSchema kModelProto;
extern const MessageSchema kOperatorSetIdProto;
extern const MessageSchema kStringStringEntryProto;
extern const MessageSchema kGraphProto;
extern const MessageSchema kNodeProto;
extern const MessageSchema kAttributeProto;
extern const MessageSchema kValueInfoProto;
extern const MessageSchema kTypeProto;
extern const MessageSchema kTypeProtoTensor;
extern const MessageSchema kTensorShapeProto;
extern const MessageSchema kDimensionProto;
extern const MessageSchema kTensorProto;

}  // namespace quantlab::model::onnx
