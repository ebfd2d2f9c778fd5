// core/src/model/ops/op.h — how an ONNX operator plugs into the executor.
//
// Each op provides two functions: `infer` (output types and shapes from input
// types and shapes, -1 for unknown dims; used before anything runs) and
// `build` (checks the node's attributes, reports anything unsupported by name,
// and returns a Kernel that may pack constant weights once). The executor
// owns the graph walk; ops never see other nodes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/model/graph.h"
#include "quantlab/model/tensor.h"

namespace quantlab::model {

/// @brief What is known about a value before running: element type and shape
/// (dims -1 when unknown), and the value itself for constants.
struct TypeShape {
  DataType type = DataType::undefined;
  bool rank_known = false;
  std::vector<std::int64_t> shape;  ///< meaningful only when rank_known
  const Tensor* value = nullptr;    ///< set for initializers and folded constants

  static TypeShape of(const Tensor& t) { return TypeShape{t.type(), true, t.shape(), &t}; }
  static TypeShape make(DataType type, std::vector<std::int64_t> shape) {
    return TypeShape{type, true, std::move(shape), nullptr};
  }
  /// True when the rank and every dim are known.
  bool fully_known() const;
};

/// @brief Input to an op's shape inference.
struct InferContext {
  const Node& node;
  std::int64_t opset = 0;                ///< the model's opset for the node's domain
  std::vector<const TypeShape*> inputs;  ///< one per node input; null when the optional input is absent
  std::vector<TypeShape> outputs;        ///< one per node output, filled by infer

  /// The i-th input; throws InvalidArgument naming the node when it is absent.
  const TypeShape& input(std::size_t i) const;
  bool has_input(std::size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
};

/// @brief Input to an op's kernel at run time.
struct RunContext {
  const Node& node;
  std::vector<const Tensor*> inputs;  ///< null when the optional input is absent
  std::vector<Tensor> outputs;        ///< one per node output, assigned by the kernel

  const Tensor& input(std::size_t i) const;
  bool has_input(std::size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
};

/// @brief A node ready to run (attributes parsed, constant weights packed).
class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(RunContext& ctx) const = 0;
};

/// @brief Input to an op's build step.
struct BuildContext {
  const Node& node;
  std::int64_t opset = 0;
  std::vector<const TypeShape*> inputs;  ///< inferred types/shapes; `value` set for constants

  const TypeShape& input(std::size_t i) const;
  bool has_input(std::size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
};

/// @brief A Kernel from a callable `void(RunContext&)` (for ops with no packed state).
template <class F>
std::unique_ptr<Kernel> function_kernel(F f) {
  struct Impl final : Kernel {
    explicit Impl(F fn) : fn_(std::move(fn)) {}
    void run(RunContext& ctx) const override { fn_(ctx); }
    F fn_;
  };
  return std::make_unique<Impl>(std::move(f));
}

/// @brief One operator.
struct OpDef {
  std::string domain;   ///< "" for ai.onnx
  std::string op_type;
  std::int64_t min_opset = 1;  ///< earliest opset whose semantics the op implements
  void (*infer)(InferContext&) = nullptr;
  std::unique_ptr<Kernel> (*build)(const BuildContext&) = nullptr;
};

/// @brief Every op (the fp32 and int8 tables below, in one list).
const std::vector<OpDef>& all_ops();
/// @brief The op for (domain, op_type), null when unsupported ("ai.onnx" == "").
const OpDef* find_op(const std::string& domain, const std::string& op_type);

// Tables, one per op family (core/src/model/ops/*.cpp).
void add_fp32_ops(std::vector<OpDef>& ops);   // float ops of the ONNX domain
void add_int8_ops(std::vector<OpDef>& ops);   // quantization and integer ops, Cast

// ---- helpers shared by op implementations ----------------------------------
/// "Conv 'conv1': " prefix for messages.
std::string where(const Node& node);
/// Throws Unsupported("<where>attribute 'x' = ... is not supported") etc.
[[noreturn]] void unsupported(const Node& node, const std::string& what);
[[noreturn]] void invalid(const Node& node, const std::string& what);
/// Numpy-style broadcast of two shapes (-1 = unknown propagates); throws InvalidArgument naming the node.
std::vector<std::int64_t> broadcast_shapes(const Node& node, const std::vector<std::int64_t>& a,
                                           const std::vector<std::int64_t>& b);
/// Normalizes a possibly negative axis for `rank`; throws InvalidArgument naming the node.
std::int64_t normalize_axis(const Node& node, std::int64_t axis, std::int64_t rank);

}  // namespace quantlab::model
