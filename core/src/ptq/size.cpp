// Where an ONNX file's bytes go. Each initializer gets the role its consumers
// give it: a layer's weight or bias (directly, or behind the DequantizeLinear
// that feeds it), a scale or zero point, or anything else. The rest of the file
// (nodes, names, shapes, protobuf framing) is the graph.
#include <cstdint>
#include <map>
#include <string>

#include "graph_utils.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq {
namespace {

using model::Graph;
using model::Node;

enum class Role { none, weights, biases, quant_params, other };

bool is_matmul_like(const std::string& op) {
  return op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul";
}

bool is_layer(const std::string& op) {
  return op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "ConvInteger" || op == "QLinearConv" ||
         is_matmul_like(op);
}

class Roles {
 public:
  explicit Roles(const Graph& g) : g_(g), uses_(g) {}

  /// The role node `n` gives the value in its input `slot`.
  Role of_slot(const Node& n, std::size_t slot, int depth = 0) const {
    const std::string& op = n.op_type;
    if (op == "QuantizeLinear") return slot == 0 ? Role::other : Role::quant_params;
    if (op == "DequantizeLinear") return slot == 0 ? of_output(n.outputs.at(0), depth) : Role::quant_params;
    if (op == "QLinearConv") return slot == 3 ? Role::weights : slot == 8 ? Role::biases : Role::quant_params;
    if (op == "QLinearMatMul") return slot == 0 || slot == 3 ? Role::weights : Role::quant_params;
    if (op == "ConvInteger" || op == "MatMulInteger") {
      if (slot >= 2) return Role::quant_params;
      return op == "ConvInteger" && slot == 0 ? Role::other : Role::weights;
    }
    if (is_layer(op)) {
      if (slot == 1 || (slot == 0 && is_matmul_like(op))) return Role::weights;
      return slot == 2 ? Role::biases : Role::other;
    }
    // The per-channel weight scale of a dynamic layer multiplies the scale of
    // its DynamicQuantizeLinear; a bias is added to a layer's (rescaled) output.
    const std::size_t other_slot = slot == 0 ? 1 : 0;
    if (op == "Mul" && n.inputs.size() == 2 && from_dynamic_scale(n.inputs[other_slot])) return Role::quant_params;
    if (op == "Add" && n.inputs.size() == 2 && from_layer(n.inputs[other_slot])) return Role::biases;
    return Role::other;
  }

 private:
  /// The role of a value through its first consumer (a DequantizeLinear's output).
  Role of_output(const std::string& value, int depth) const {
    auto it = uses_.consumers.find(value);
    if (it == uses_.consumers.end() || it->second.empty() || depth > 4) return Role::other;
    const Node& c = g_.nodes[it->second.front()];
    for (std::size_t s = 0; s < c.inputs.size(); ++s)
      if (c.inputs[s] == value) return of_slot(c, s, depth + 1);
    return Role::other;
  }

  const Node* producer(const std::string& value) const {
    auto it = uses_.producer.find(value);
    return it == uses_.producer.end() ? nullptr : &g_.nodes[it->second];
  }

  bool from_dynamic_scale(const std::string& value) const {
    const Node* p = producer(value);
    return p != nullptr && p->op_type == "DynamicQuantizeLinear" && p->outputs.size() > 1 && p->outputs[1] == value;
  }

  /// Produced by a layer, directly or through the Cast and Mul that rescale an integer layer's output.
  bool from_layer(const std::string& value) const {
    const Node* p = producer(value);
    for (int hops = 0; p != nullptr && hops < 3; ++hops) {
      if (is_layer(p->op_type)) return true;
      if (p->op_type != "Cast" && p->op_type != "Mul") return false;
      p = p->inputs.empty() ? nullptr : producer(p->inputs[0]);
    }
    return false;
  }

  const Graph& g_;
  const detail::Uses uses_;
};

}  // namespace

SizeBreakdown size_breakdown(const model::Model& m) {
  const Graph& g = m.graph;
  const Roles roles(g);
  std::map<std::string, Role> role;
  for (const Node& n : g.nodes)
    for (std::size_t s = 0; s < n.inputs.size(); ++s) {
      if (n.inputs[s].empty() || !g.initializers.count(n.inputs[s])) continue;
      Role& r = role[n.inputs[s]];
      if (r == Role::none) r = roles.of_slot(n, s);  // first use decides
    }

  SizeBreakdown b;
  b.total = static_cast<std::int64_t>(model::write_onnx(m).size());
  for (const auto& [name, t] : g.initializers) {
    const auto bytes = static_cast<std::int64_t>(t.packed_byte_size());  // as in the file
    auto it = role.find(name);
    switch (it == role.end() ? Role::other : it->second) {
      case Role::weights: b.weights += bytes; break;
      case Role::biases: b.biases += bytes; break;
      case Role::quant_params: b.quant_params += bytes; break;
      default: b.other_tensors += bytes; break;
    }
  }
  b.graph = b.total - b.weights - b.biases - b.quant_params - b.other_tensors;
  return b;
}

}  // namespace quantlab::ptq
