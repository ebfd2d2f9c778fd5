// quantlab/model/graph.h — the graph IR: an ONNX model as plain data.
//
// The IR mirrors ONNX's ModelProto closely (names, op types, attributes,
// initializers, value infos) so a model read and written again keeps its
// meaning; the reader/writer (onnx.h) is the only code that knows the wire format.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quantlab/model/tensor.h"

namespace quantlab::model {

/// @brief A node attribute (ONNX AttributeProto). Sub-graphs are not supported.
struct Attribute {
  /// Numbered as ONNX's AttributeProto.AttributeType.
  enum class Kind : std::int32_t {
    undefined = 0, float_ = 1, int_ = 2, string = 3, tensor = 4, graph = 5,
    floats = 6, ints = 7, strings = 8, tensors = 9, graphs = 10,
  };
  std::string name;
  Kind kind = Kind::undefined;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::vector<std::string> strings;
};

/// @brief "float", "int", "ints", ... (ONNX's spelling, for messages).
std::string kind_name(Attribute::Kind kind);

/// @brief One operator application (ONNX NodeProto). Missing optional inputs are "".
struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  ///< "" (or "ai.onnx") is the default domain
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;

  const Attribute* find(const std::string& attr) const;
  /// Typed getters: the default when absent; InvalidArgument naming the node
  /// and attribute when present with another kind.
  std::int64_t get_int(const std::string& attr, std::int64_t fallback) const;
  float get_float(const std::string& attr, float fallback) const;
  std::string get_string(const std::string& attr, const std::string& fallback) const;
  std::vector<std::int64_t> get_ints(const std::string& attr, const std::vector<std::int64_t>& fallback = {}) const;
  std::vector<float> get_floats(const std::string& attr, const std::vector<float>& fallback = {}) const;
  /// "Conv 'conv1'" (or "Conv #3" when unnamed is handled by the caller), for messages.
  std::string label() const;
  /// The number of non-empty inputs at index >= i counts as present; true when inputs[i] names a value.
  bool has_input(std::size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
};

/// @brief One dimension: a value (>= 0), a symbolic name, or unknown (value -1, no name).
struct Dim {
  std::int64_t value = -1;
  std::string param;
};

/// @brief A graph input/output/intermediate with its declared type (ONNX ValueInfoProto).
struct ValueInfo {
  std::string name;
  DataType type = DataType::undefined;
  bool has_shape = false;  ///< false: rank unknown
  std::vector<Dim> dims;
  std::string doc;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::map<std::string, Tensor> initializers;
  std::vector<ValueInfo> inputs;   ///< may also list initializers (IR < 4); the executor skips those
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_info;
  std::string doc;
};

struct OpsetImport {
  std::string domain;  ///< "" for ai.onnx
  std::int64_t version = 0;
};

struct Model {
  std::int64_t ir_version = 8;
  std::vector<OpsetImport> opsets;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  std::int64_t model_version = 0;
  std::string doc;
  std::vector<std::pair<std::string, std::string>> metadata;
  Graph graph;

  /// The opset version imported for `domain` ("" and "ai.onnx" are the same); 0 when absent.
  std::int64_t opset(const std::string& domain = "") const;
};

}  // namespace quantlab::model
