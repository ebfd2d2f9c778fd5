// core/src/model/onnx/decode.h — pieces the ONNX reader shares between its files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "model/onnx/wire.h"
#include "quantlab/model/onnx.h"
#include "quantlab/model/tensor.h"

namespace quantlab::model::onnx {

/// @brief Names a tensor in messages, given the name stored in its TensorProto:
/// "initializer 'conv1.weight'", "Constant 'c': attribute 'value'".
using TensorLabel = std::function<std::string(const std::string& proto_name)>;

/// @brief Decodes a TensorProto (raw_data, typed fields or external data)
/// into a Tensor. Sizes are checked against the bytes actually present before
/// the tensor is allocated. `resolver` may be null (external data is then an
/// error); `name` receives the TensorProto's name when not null.
Tensor decode_tensor(Span message, const TensorLabel& label, const ExternalDataResolver* resolver,
                     std::string* name = nullptr);

/// @brief Throws InvalidArgument "not <what> (starts with bytes 89 50 4e 47 —
/// a PNG image?)" unless the input begins with a field `schema` knows, with
/// the wire type it expects. Protobuf has no magic number; this is its stand-in.
void check_first_field(Span input, const MessageSchema& schema, const char* what);

/// @brief Rethrows the current quantlab::Error with `prefix + ": "` before its
/// message, keeping its type (InvalidArgument or Unsupported).
[[noreturn]] void rethrow_with_prefix(const std::string& prefix);

}  // namespace quantlab::model::onnx
