#include "ptq/graph_utils.h"

#include <cstring>

#include <xtensor/xadapt.hpp>

namespace quantlab::ptq::detail {

Uses::Uses(const model::Graph& g) {
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (const std::string& in : g.nodes[i].inputs)
      if (!in.empty()) consumers[in].push_back(i);
    for (const std::string& out : g.nodes[i].outputs)
      if (!out.empty()) producer[out] = i;
  }
  for (const model::ValueInfo& o : g.outputs) graph_outputs.insert(o.name);
}

std::size_t Uses::consumer_count(const std::string& value) const {
  auto it = consumers.find(value);
  return it == consumers.end() ? 0 : it->second.size();
}

std::size_t Uses::sole_consumer(const std::string& value) const {
  if (graph_outputs.count(value)) return npos;
  auto it = consumers.find(value);
  if (it == consumers.end() || it->second.size() != 1) return npos;
  return it->second.front();
}

const model::Tensor* constant(const model::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  return it == g.initializers.end() ? nullptr : &it->second;
}

xt::xarray<float> to_xarray(const model::Tensor& t) {
  std::vector<std::size_t> shape(t.shape().begin(), t.shape().end());
  xt::xarray<float> a = xt::zeros<float>(shape);
  if (t.size() > 0) std::memcpy(a.data(), t.data<float>(), static_cast<std::size_t>(t.size()) * sizeof(float));
  return a;
}

model::Tensor from_xarray(const xt::xarray<float>& a) {
  std::vector<std::int64_t> shape(a.shape().begin(), a.shape().end());
  model::Tensor t(model::DataType::float32, shape);
  if (t.size() > 0) std::memcpy(t.data<float>(), a.data(), static_cast<std::size_t>(t.size()) * sizeof(float));
  return t;
}

std::string node_name(const model::Node& node, std::size_t index) {
  return node.name.empty() ? node.op_type + "_" + std::to_string(index) : node.name;
}

void drop_unused_initializers(model::Graph& g) {
  std::set<std::string> used;
  for (const model::Node& n : g.nodes)
    for (const std::string& in : n.inputs) used.insert(in);
  for (const model::ValueInfo& o : g.outputs) used.insert(o.name);
  std::set<std::string> removed;
  for (auto it = g.initializers.begin(); it != g.initializers.end();) {
    if (used.count(it->first)) {
      ++it;
    } else {
      removed.insert(it->first);
      it = g.initializers.erase(it);
    }
  }
  // Inputs listing removed initializers (IR < 4 files) go too.
  std::vector<model::ValueInfo> inputs;
  for (const model::ValueInfo& in : g.inputs)
    if (!removed.count(in.name)) inputs.push_back(in);
  g.inputs = std::move(inputs);
}

}  // namespace quantlab::ptq::detail
