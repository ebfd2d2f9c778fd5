// prepare(): fold inference BatchNormalization into the Conv/Gemm before it,
// find the quantizable layers and the activations calibration must observe.
//
// Folding (core/docs/ptq.md, P1): with a = γ / sqrt(σ² + ε) per channel,
//   W'[c] = a[c] · W[c],   b'[c] = a[c] · (b[c] − μ[c]) + β[c]
// computed in double and rounded once to float32.
#include <cmath>
#include <set>

#include "ptq/graph_utils.h"
#include "ptq/plan.h"
#include "quantlab/error.h"
#include "quantlab/model/onnx.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq {
namespace {

using detail::constant;
using detail::npos;
using detail::Uses;

/// The output-channel axis of a layer's weight, and its channel count.
int weight_axis(const model::Node& n) {
  if (n.op_type == "Gemm") return n.get_int("transB", 0) != 0 ? 0 : 1;
  if (n.op_type == "MatMul") return 1;
  return 0;  // Conv: [M, C/group, kh, kw]
}

/// A name not yet used by any value or initializer of `g`.
std::string fresh_name(const model::Graph& g, const std::string& base) {
  std::set<std::string> used;
  for (const model::Node& n : g.nodes) {
    used.insert(n.inputs.begin(), n.inputs.end());
    used.insert(n.outputs.begin(), n.outputs.end());
  }
  std::string name = base;
  for (int i = 1; used.count(name) || g.initializers.count(name); ++i) name = base + "_" + std::to_string(i);
  return name;
}

/// Folds the BatchNormalization node `bn` into its producer when possible; true when folded.
bool fold_batchnorm(model::Graph& g, std::size_t bn_index) {
  const Uses uses(g);
  const model::Node bn = g.nodes[bn_index];
  if (bn.inputs.size() < 5) return false;
  for (std::size_t i = 1; i < bn.outputs.size(); ++i)
    if (!bn.outputs[i].empty()) return false;  // training outputs
  if (bn.get_int("training_mode", 0) != 0) return false;
  auto prod = uses.producer.find(bn.inputs[0]);
  if (prod == uses.producer.end()) return false;
  const std::size_t p = prod->second;
  model::Node& layer = g.nodes[p];
  if (layer.op_type != "Conv" && layer.op_type != "Gemm") return false;
  if (uses.sole_consumer(bn.inputs[0]) != bn_index) return false;
  if (layer.op_type == "Gemm" && (layer.get_int("transA", 0) != 0 || layer.get_float("alpha", 1.0f) != 1.0f ||
                                  layer.get_float("beta", 1.0f) != 1.0f))
    return false;
  const model::Tensor* w = constant(g, layer.inputs.size() > 1 ? layer.inputs[1] : "");
  const model::Tensor* b = layer.has_input(2) ? constant(g, layer.inputs[2]) : nullptr;
  if (w == nullptr || w->type() != model::DataType::float32 || (layer.has_input(2) && b == nullptr)) return false;
  const model::Tensor* gamma = constant(g, bn.inputs[1]);
  const model::Tensor* beta = constant(g, bn.inputs[2]);
  const model::Tensor* mean = constant(g, bn.inputs[3]);
  const model::Tensor* var = constant(g, bn.inputs[4]);
  if (!gamma || !beta || !mean || !var) return false;
  const int axis = weight_axis(layer);
  if (w->rank() < 2) return false;
  const std::int64_t channels = w->dim(static_cast<std::size_t>(axis));
  for (const model::Tensor* t : {gamma, beta, mean, var})
    if (t->type() != model::DataType::float32 || t->size() != channels) return false;
  if (b && (b->type() != model::DataType::float32 || b->size() != channels)) return false;

  const double eps = bn.get_float("epsilon", 1e-5f);
  std::vector<double> a(static_cast<std::size_t>(channels));
  for (std::int64_t c = 0; c < channels; ++c)
    a[c] = gamma->data<float>()[c] / std::sqrt(static_cast<double>(var->data<float>()[c]) + eps);

  model::Tensor w2(model::DataType::float32, w->shape());
  const float* src = w->data<float>();
  float* dst = w2.data<float>();
  const std::int64_t outer = axis == 0 ? channels : w->dim(0);
  const std::int64_t inner = w->size() / outer;
  for (std::int64_t i = 0; i < w->size(); ++i) {
    const std::int64_t c = axis == 0 ? i / inner : i % channels;
    dst[i] = static_cast<float>(a[c] * src[i]);
  }
  model::Tensor b2(model::DataType::float32, {channels});
  for (std::int64_t c = 0; c < channels; ++c) {
    const double bias = b ? b->data<float>()[c] : 0.0;
    b2.data<float>()[c] = static_cast<float>(a[c] * (bias - mean->data<float>()[c]) + beta->data<float>()[c]);
  }
  // The folded weight keeps the weight's name when nothing else reads it (names are most of a small file).
  const std::string w_name = uses.consumer_count(layer.inputs[1]) == 1
                                 ? layer.inputs[1]
                                 : fresh_name(g, layer.inputs[1] + "_folded");
  std::string b_name;
  if (b != nullptr && uses.consumer_count(layer.inputs[2]) == 1) {
    b_name = layer.inputs[2];
  } else {
    const std::string& w = layer.inputs[1];
    const bool ends_weight = w.size() > 6 && w.compare(w.size() - 6, 6, "weight") == 0;
    b_name = fresh_name(g, ends_weight ? w.substr(0, w.size() - 6) + "bias" : w + "_bias");
  }
  g.initializers[w_name] = std::move(w2);
  g.initializers[b_name] = std::move(b2);
  layer.inputs.resize(3);
  layer.inputs[1] = w_name;
  layer.inputs[2] = b_name;
  layer.outputs[0] = bn.outputs[0];
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(bn_index));
  return true;
}

/// The layer starting at node `i`, if it is one.
bool find_layer(const model::Graph& g, const Uses& uses, std::size_t i, Layer& out) {
  const model::Node& n = g.nodes[i];
  if (n.outputs.empty() || n.inputs.size() < 2) return false;
  const model::Tensor* w = constant(g, n.inputs[1]);
  if (w == nullptr || w->type() != model::DataType::float32 || constant(g, n.inputs[0]) != nullptr) return false;
  if (n.op_type == "Conv") {
    if (w->rank() != 3 && w->rank() != 4) return false;
  } else if (n.op_type == "Gemm") {
    if (w->rank() != 2 || n.get_int("transA", 0) != 0 || n.get_float("alpha", 1.0f) != 1.0f) return false;
    if (n.has_input(2) && n.get_float("beta", 1.0f) != 1.0f) return false;
  } else if (n.op_type == "MatMul") {
    if (w->rank() != 2) return false;
  } else {
    return false;
  }
  if (n.has_input(2)) {
    const model::Tensor* b = constant(g, n.inputs[2]);
    const std::int64_t channels = w->dim(static_cast<std::size_t>(weight_axis(n)));
    // Gemm's C may broadcast; only a per-output-channel vector becomes an int32 bias.
    if (b == nullptr || b->type() != model::DataType::float32 || b->size() != channels || b->rank() != 1) return false;
    out.bias = n.inputs[2];
  }
  out.op_type = n.op_type;
  out.node = i;
  out.input = n.inputs[0];
  out.weight = n.inputs[1];
  out.weight_axis = weight_axis(n);
  out.weight_elements = w->size();
  out.output = n.outputs[0];
  const std::size_t c = uses.sole_consumer(n.outputs[0]);
  if (c != npos) {
    const model::Node& a = g.nodes[c];
    bool constant_bounds = true;
    for (std::size_t k = 1; k < a.inputs.size(); ++k)
      if (!a.inputs[k].empty() && constant(g, a.inputs[k]) == nullptr) constant_bounds = false;
    if (a.op_type == "Relu" || (a.op_type == "Clip" && constant_bounds)) {
      out.activation = a.op_type;
      out.output = a.outputs[0];
    }
  }
  return true;
}

}  // namespace

Prepared prepare(const model::Model& float_model) {
  Prepared p;
  p.model = float_model;
  p.float_size = size_breakdown(float_model);
  model::Graph& g = p.model.graph;
  for (std::size_t i = 0; i < g.nodes.size();) {
    if (g.nodes[i].op_type == "BatchNormalization") {
      const std::string name = detail::node_name(g.nodes[i], i);
      if (fold_batchnorm(g, i)) {
        p.folded.push_back(name);
        continue;
      }
    }
    ++i;
  }
  detail::drop_unused_initializers(g);
  p.model.graph.value_info.clear();  // folded values changed; the executor infers them again

  // One Session, of the folded model, checks the graph (unsupported ops,
  // malformed values) and gives the FLOPs; folding only rewrites constants
  // it has checked, so it never hides an error the original would show.
  const model::Session session(p.model);
  if (session.inputs().size() != 1)
    throw InvalidArgument("post-training quantization needs a model with one input; this one has " +
                          std::to_string(session.inputs().size()));
  if (session.outputs().empty()) throw InvalidArgument("the model has no outputs");
  p.input = session.inputs()[0].name;
  p.output = session.outputs()[0].name;
  const Uses uses(g);
  std::set<std::string> names;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    Layer l;
    if (!find_layer(g, uses, i, l)) continue;
    l.name = detail::node_name(g.nodes[i], i);
    if (!names.insert(l.name).second) l.name += "_" + std::to_string(i);
    l.flops = session.nodes()[i].flops;
    p.layers.push_back(std::move(l));
  }
  const detail::Plan all = detail::make_plan(p, [](std::size_t, const std::string&) { return true; });
  p.observed = all.own;
  return p;
}

}  // namespace quantlab::ptq
