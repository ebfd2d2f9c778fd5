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
Model read_onnx(const std::uint8_t* data, std::size_t size, const ExternalDataResolver& resolver = {});

/// @brief Reads a model file; external data is read from files in the model's
/// folder (locations that are absolute or leave the folder are refused).
Model read_onnx_file(const std::string& path);

/// @brief Parses a serialized TensorProto (the backend tests' input_0.pb);
/// `name` receives the tensor's name when not null.
Tensor read_tensor_proto(const std::uint8_t* data, std::size_t size, std::string* name = nullptr);

/// @brief Serializes a model (all tensors inline as raw_data).
std::vector<std::uint8_t> write_onnx(const Model& model);

/// @brief Serializes a tensor as a TensorProto.
std::vector<std::uint8_t> write_tensor_proto(const Tensor& tensor, const std::string& name = "");

}  // namespace quantlab::model
