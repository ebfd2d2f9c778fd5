#include "ptq/plan.h"

#include <algorithm>

#include "ptq/graph_utils.h"
#include "quantlab/error.h"

namespace quantlab::ptq::detail {
namespace {

bool is_move(const std::string& op) {
  return op == "MaxPool" || op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" ||
         op == "Transpose";
}

bool is_pool(const std::string& op) { return op == "GlobalAveragePool" || op == "AveragePool"; }

bool is_float_activation(const model::Graph& g, const std::string& name) {
  return !name.empty() && constant(g, name) == nullptr;
}

/// A Relu (or Clip with constant bounds) reading `value` as its only consumer: fusable.
std::size_t fusable_activation(const model::Graph& g, const Uses& uses, const std::string& value) {
  const std::size_t c = uses.sole_consumer(value);
  if (c == npos) return npos;
  const model::Node& n = g.nodes[c];
  if (n.op_type == "Relu") return c;
  if (n.op_type == "Clip") {
    for (std::size_t i = 1; i < n.inputs.size(); ++i)
      if (!n.inputs[i].empty() && constant(g, n.inputs[i]) == nullptr) return npos;
    return c;
  }
  return npos;
}

}  // namespace

namespace {

/// `canonical`: the parameter source of every activation when everything is
/// quantized (what calibration observed). An activation that a partial plan
/// quantizes on its own, but that the full plan aliases (a MaxPool output,
/// say), takes its parameters from the same source.
Plan build(const Prepared& prepared, const std::function<bool(std::size_t, const std::string&)>& quantize,
           const std::map<std::string, std::string>* canonical) {
  const model::Graph& g = prepared.model.graph;
  const Uses uses(g);
  Plan plan;
  plan.roles.assign(g.nodes.size(), Role::none);
  for (std::size_t i = 0; i < prepared.layers.size(); ++i) plan.layer_index[prepared.layers[i].node] = i;

  std::set<std::string> quantized_values;  // activations that get Q/DQ
  auto own = [&](const std::string& v) {
    std::string src = v;
    if (canonical != nullptr) {
      auto c = canonical->find(v);
      if (c != canonical->end()) src = c->second;
    }
    if (plan.params_of.emplace(v, src).second && src == v) plan.own.push_back(v);
    quantized_values.insert(v);
  };

  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const model::Node& n = g.nodes[i];
    if (plan.roles[i] == Role::activation) continue;
    const std::string name = node_name(n, i);
    auto layer = plan.layer_index.find(i);
    if (layer != plan.layer_index.end()) {
      const Layer& l = prepared.layers[layer->second];
      if (!quantize(i, l.name)) continue;
      plan.roles[i] = Role::layer;
      if (!l.activation.empty()) {
        const std::size_t a = uses.sole_consumer(n.outputs[0]);
        plan.roles[a] = Role::activation;
        plan.fused.insert(a);
      }
      own(l.input);
      own(l.output);
      continue;
    }
    if (n.op_type == "Add" && n.inputs.size() == 2 && is_float_activation(g, n.inputs[0]) &&
        is_float_activation(g, n.inputs[1]) && quantize(i, name)) {
      plan.roles[i] = Role::add;
      std::string out = n.outputs[0];
      const std::size_t a = fusable_activation(g, uses, out);
      if (a != npos) {
        plan.roles[a] = Role::activation;
        plan.fused.insert(a);
        out = g.nodes[a].outputs[0];
      }
      own(n.inputs[0]);
      own(n.inputs[1]);
      own(out);
      continue;
    }
    if (is_pool(n.op_type) && n.outputs.size() == 1 && quantize(i, name)) {
      plan.roles[i] = Role::pool;
      own(n.inputs[0]);
      own(n.outputs[0]);
      continue;
    }
    // Data movement: quantized only where its input already is (no new Q/DQ for it).
    if (is_move(n.op_type) && !n.outputs.empty() && quantized_values.count(n.inputs[0]) &&
        (n.op_type != "MaxPool" || n.outputs.size() == 1 || n.outputs[1].empty()) && quantize(i, name)) {
      plan.roles[i] = Role::move;
      const std::string& src = plan.params_of.at(n.inputs[0]);
      plan.params_of.emplace(n.outputs[0], src);
      quantized_values.insert(n.outputs[0]);
    }
  }
  return plan;
}

}  // namespace

Plan make_plan(const Prepared& prepared, const std::function<bool(std::size_t, const std::string&)>& quantize) {
  const Plan all = build(prepared, [](std::size_t, const std::string&) { return true; }, nullptr);
  return build(prepared, quantize, &all.params_of);
}

Plan make_plan(const Prepared& prepared, const Options& options) {
  const model::Graph& g = prepared.model.graph;
  std::set<std::string> keep(options.keep_float.begin(), options.keep_float.end());
  std::set<std::string> known;
  for (const Layer& l : prepared.layers) known.insert(l.name);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) known.insert(node_name(g.nodes[i], i));
  for (const std::string& k : keep)
    if (!known.count(k)) throw InvalidArgument("keep_float names '" + k + "', which is not a layer or node of the model");
  check_layer_bits(prepared, options);
  return make_plan(prepared, [&](std::size_t, const std::string& name) { return !keep.count(name); });
}

void check_layer_bits(const Prepared& prepared, const Options& options) {
  for (const auto& entry : options.weights.layer_bits) {
    const std::string& name = entry.first;
    if (std::none_of(prepared.layers.begin(), prepared.layers.end(), [&](const Layer& l) { return l.name == name; }))
      throw InvalidArgument("weights.layer_bits names '" + name + "', which is not a layer of the model");
  }
}

Plan single_layer_plan(const Prepared& prepared, std::size_t layer) {
  const std::size_t node = prepared.layers.at(layer).node;
  return make_plan(prepared, [&](std::size_t i, const std::string&) { return i == node; });
}

}  // namespace quantlab::ptq::detail
