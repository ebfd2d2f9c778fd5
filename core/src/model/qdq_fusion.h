// model/qdq_fusion.h (private) — runs QDQ models on the integer kernels.
//
// A QDQ model is a float graph with QuantizeLinear/DequantizeLinear pairs
// around each layer (what post-training quantization exports and onnxruntime
// runs). Executed as written, every layer would dequantize, compute in fp32
// and quantize again. fuse_qdq() rewrites the node list the Session executes
// so that each quantized layer becomes one integer op, as onnxruntime's QDQ
// transformers do:
//
//   DQ(x), DQ(W), [DQ(B int32) | B float | none] → Conv → [Relu|Clip] → Q
//                                      ⇒ quantlab.QLinearConvAct
//   the same with Gemm (alpha = beta = 1, transA = 0) or MatMul (2-D W)
//                                      ⇒ quantlab.QLinearGemmAct
//   DQ(a), DQ(b) → Add → [Relu|Clip] → Q   ⇒ quantlab.QLinearAddAct
//   DQ(x) → GlobalAveragePool → Q        ⇒ quantlab.QLinearGlobalAveragePool
//   DQ(x) → MaxPool | Flatten | Reshape | Transpose | Squeeze | Unsqueeze |
//           Concat → Q, equal parameters ⇒ the same op on the int8 codes
//   DQ(q) → Q with DQ's parameters         ⇒ q itself (Q → DQ → Q chains collapse)
//   Shape(DQ(q))                             ⇒ Shape(q) (the same shape)
//   DequantizeLinear nodes left without consumers are removed.
//
// Conditions and the arithmetic of each rule: core/docs/model.md, "QDQ models".
// The model itself is never changed; the fused ops (domain "quantlab") exist
// only in the executed node list and never in files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quantlab/model/graph.h"
#include "quantlab/model/tensor.h"

namespace quantlab::model {

/// @brief Domain of the executor's private ops (the fused QDQ patterns).
inline constexpr const char* kPrivateDomain = "quantlab";

/// @brief The node list to execute for a graph, after the QDQ rewrite.
struct QdqFusion {
  /// Every node to run: the graph's own nodes that were not rewritten, and
  /// one node per rewritten pattern, named as the pattern's Conv / Gemm /
  /// MatMul / Add / pooling / data-movement node, with the output name of
  /// the QuantizeLinear it replaces.
  std::vector<Node> nodes;
  /// Per node: the op types of the graph's nodes it replaces, without the
  /// Q/DQ nodes (e.g. {"Conv", "Relu"}); empty for a node kept as it was.
  std::vector<std::vector<std::string>> fused_from;
  /// Constants the rewrite made (an int32 bias quantized from a float bias,
  /// a zero point QuantizeLinear left implicit); names are new in the graph.
  std::map<std::string, Tensor> initializers;
  /// Patterns rewritten plus nodes removed; 0 means `nodes` is the graph's list.
  std::size_t changes = 0;
};

/// @brief Rewrites `graph`'s QDQ patterns (see above). `opset` is the model's
/// opset of the default domain (Clip reads min/max from inputs from opset 11).
/// Never throws for a graph it cannot fuse: such nodes are kept as they are,
/// so the model still runs, in float.
QdqFusion fuse_qdq(const Graph& graph, std::int64_t opset);

}  // namespace quantlab::model
