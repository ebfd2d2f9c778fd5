// quantlab/model/onnx.h — read and write ONNX files (ModelProto, TensorProto).
//
// A small protobuf wire-format codec for just the messages a model needs
// (core/src/model/onnx/); no protobuf runtime is linked. Every length, count
// and size read from a file is checked before it is used, so truncated or
// hostile bytes end in quantlab::InvalidArgument, never in a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "quantlab/model/graph.h"

namespace quantlab::model {

/// @brief Supplies the bytes of an external-data tensor: `location` as written
/// in the model (relative to the model's folder), `offset` and `length`
/// (length < 0: to the end of the file). Throws InvalidArgument when missing.
using ExternalDataResolver =
    std::function<std::vector<std::uint8_t>(const std::string& location, std::uint64_t offset, std::int64_t length)>;

/// @brief Parses a serialized ModelProto. External-data tensors are loaded
/// through `resolver` (an error naming the tensor and file when there is none).
///
/// Tensors may be stored in raw_data (little-endian), in the typed field ONNX
/// assigns their type (float_data; int32_data for int8/uint8/int16/uint16/
/// bool/float16/bfloat16, low bits; int64_data; double_data; uint64_data for
/// uint32/uint64), packed or not, or externally. Throws Unsupported for valid
/// ONNX the IR cannot hold: string, complex and float8 tensors, segments,
/// sparse initializers and attributes, TypeProto attributes, and graph inputs
/// or outputs that are sequences, maps or optionals (such value_info entries
/// are dropped). Graph, graphs and tensors attributes keep only their kind:
/// ops refuse them, and write_onnx will not write them. Model-local functions
/// and training_info are skipped. Everything else wrong is InvalidArgument.
///
///     const Model m = read_onnx(bytes.data(), bytes.size());
///     m.opset();                                   // 13
///     m.graph.initializers.at("conv1.weight");     // a Tensor
Model read_onnx(const std::uint8_t* data, std::size_t size, const ExternalDataResolver& resolver = {});

/// @brief Reads a model file; external data is read from files in the model's
/// folder (locations that are absolute or leave the folder are refused).
Model read_onnx_file(const std::string& path);

/// @brief Parses a serialized TensorProto (the backend tests' input_0.pb);
/// `name` receives the tensor's name when not null.
Tensor read_tensor_proto(const std::uint8_t* data, std::size_t size, std::string* name = nullptr);

/// @brief Serializes a model (all tensors inline as raw_data). The bytes are
/// deterministic and canonical: fields in onnx.proto's order, initializers in
/// name order, as the protobuf library itself would write them. Throws
/// Unsupported for graph/graphs/tensors attributes (their content was not
/// read) and InvalidArgument for a tensor without a type.
std::vector<std::uint8_t> write_onnx(const Model& model);

/// @brief Serializes a tensor as a TensorProto.
std::vector<std::uint8_t> write_tensor_proto(const Tensor& tensor, const std::string& name = "");

}  // namespace quantlab::model
