// ptq/plan.h (private) — which nodes of a prepared model run quantized and
// which activations get QuantizeLinear/DequantizeLinear, for a choice of
// nodes. prepare() asks it with every node quantized (what calibration must
// observe); convert() and the reports ask it with the user's choice.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq::detail {

/// How a node takes part in static quantization.
enum class Role {
  none,        ///< stays float
  layer,       ///< Conv/Gemm/MatMul with int8 weight (the main node of a Layer)
  activation,  ///< Relu/Clip fused into the layer or Add before it
  add,         ///< Add of two activations
  pool,        ///< GlobalAveragePool / AveragePool: own output parameters
  move,        ///< MaxPool, Flatten, Reshape, ...: the output reuses the input's parameters
};

struct Plan {
  std::vector<Role> roles;                         ///< per node of Prepared::model
  std::map<std::size_t, std::size_t> layer_index;  ///< layer main node -> index in Prepared::layers
  /// Quantized activation -> the activation whose parameters it uses (itself, or a `move` node's input).
  std::map<std::string, std::string> params_of;
  std::vector<std::string> own;  ///< activations with parameters of their own, in graph order
  std::set<std::size_t> fused;   ///< activation nodes fused into a quantized layer or add

  bool quantized(std::size_t node) const { return roles[node] != Role::none; }
};

/// `quantize(node_index, node_name)` says whether a candidate node may be
/// quantized (layers, adds, pools and data-movement ops are the candidates).
Plan make_plan(const Prepared& prepared, const std::function<bool(std::size_t, const std::string&)>& quantize);

/// The plan for `options` (keep_float names layers or nodes; unknown names throw InvalidArgument).
Plan make_plan(const Prepared& prepared, const Options& options);

/// Throws InvalidArgument when weights.layer_bits names something that is not a layer.
void check_layer_bits(const Prepared& prepared, const Options& options);

/// The plan with only the layer `layer` quantized (its input, weight and output).
Plan single_layer_plan(const Prepared& prepared, std::size_t layer);

/// The static QDQ conversion for an explicit plan (convert() uses make_plan(options)).
model::Model convert_with_plan(const Prepared& prepared, const Options& options, const Calibration& calibration,
                               const Plan& plan);

}  // namespace quantlab::ptq::detail
