// quantlab/model/session.h — a loaded model, checked and ready to run.
//
// Building a Session does all the work that does not depend on the input:
// every op is looked up (all unsupported ops are reported at once, by name
// and node), shapes are inferred, constant subgraphs are folded, and constant
// weights are packed for the kernels. run() then only executes kernels.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quantlab/model/graph.h"
#include "quantlab/model/tensor.h"

namespace quantlab::model {

/// @brief What a node does, for display and reports.
struct NodeInfo {
  std::size_t index = 0;  ///< position in nodes(): the executed node list (the model's, unless QDQ fusion rewrote it)
  std::string name;       ///< the node's name ("" when the file has none)
  std::string op_type;    ///< e.g. "Conv"; a fused QDQ layer: "QLinearConvAct" (domain "quantlab")
  std::string domain;
  /// For a node made by QDQ fusion, the op types of the model's nodes it
  /// replaces, Q/DQ left out (e.g. {"Conv", "Relu"}); empty for the model's own nodes.
  std::vector<std::string> fused_from;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<DataType> output_types;
  std::vector<std::vector<std::int64_t>> output_shapes;  ///< -1 for dims unknown before running
  bool output_rank_known = true;
  std::int64_t parameters = 0;  ///< elements of the node's constant (initializer) inputs
  std::int64_t flops = 0;       ///< floating-point (or integer) operations for one sample, estimated
  bool folded = false;          ///< computed once at load time (a constant subgraph)
};

/// @brief Shape and type of every value, for given input shapes.
struct ShapeReport {
  std::map<std::string, DataType> types;
  std::map<std::string, std::vector<std::int64_t>> shapes;  ///< -1 for unknown dims
};

/// @brief How a Session prepares a model.
struct SessionOptions {
  /// Run QDQ models on the integer kernels: each QuantizeLinear/DequantizeLinear
  /// pattern around a Conv, Gemm, MatMul, Add, pooling or data-movement node
  /// becomes one int8 node (core/docs/model.md, "QDQ models"). false runs the
  /// graph as written: dequantize, compute in float, quantize.
  bool fuse_qdq = true;
};

class Session {
 public:
  /// Checks, infers, folds and prepares `model`. Throws Unsupported listing
  /// every unsupported op (with the nodes using it) or attribute, and
  /// InvalidArgument for malformed graphs (unknown values, cycles, bad shapes).
  explicit Session(Model model);
  Session(Model model, SessionOptions options);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  /// The model as given (a QDQ rewrite changes only what nodes() lists and run() executes).
  const Model& model() const;
  /// Graph inputs the caller must feed (initializers listed as inputs are excluded).
  const std::vector<ValueInfo>& inputs() const;
  const std::vector<ValueInfo>& outputs() const;
  /// One entry per executed node, in model order, with shapes for batch 1 when
  /// the inputs have a symbolic batch dimension (see infer_shapes). With QDQ
  /// fusion, a fused layer is one entry (named as its Conv/Gemm/MatMul/Add...,
  /// with the output name of the QuantizeLinear it replaces) and the model's
  /// Q/DQ nodes it absorbed are not listed.
  const std::vector<NodeInfo>& nodes() const;
  /// Elements of all initializers.
  std::int64_t parameter_count() const;

  /// Types and shapes of every value for concrete input shapes (symbolic dims
  /// of inputs not in `input_shapes` become 1). Does not run the heavy ops.
  ShapeReport infer_shapes(const std::map<std::string, std::vector<std::int64_t>>& input_shapes = {}) const;

  /// Called after each executed node with its outputs (for calibration and per-layer reports).
  using NodeObserver = std::function<void(const NodeInfo& node, const std::vector<const Tensor*>& outputs)>;

  /// Runs the model. `feeds` must hold every input with its declared type and
  /// a shape matching the declared dims (symbolic dims may take any size,
  /// consistently across inputs); throws InvalidArgument naming the input
  /// otherwise. Returns the graph outputs by name.
  std::map<std::string, Tensor> run(const std::map<std::string, Tensor>& feeds,
                                    const NodeObserver& observe = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// @brief The op types the executor supports (domain-qualified when not ai.onnx).
std::vector<std::string> supported_ops();

}  // namespace quantlab::model
