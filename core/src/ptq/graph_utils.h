// ptq/graph_utils.h (private) — small graph queries the PTQ passes share:
// who produces and who consumes a value, constants, tensors as float vectors.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "quantlab/model/graph.h"
#include "quantlab/model/tensor.h"

namespace quantlab::ptq::detail {

/// Producers and consumers of every value of a graph.
struct Uses {
  std::map<std::string, std::size_t> producer;                // value -> node index
  std::map<std::string, std::vector<std::size_t>> consumers;  // value -> node indices (once per input slot)
  std::set<std::string> graph_outputs;

  explicit Uses(const model::Graph& g);
  std::size_t consumer_count(const std::string& value) const;
  /// The only consumer of `value`, or npos when it has none, several, or is a graph output.
  std::size_t sole_consumer(const std::string& value) const;
};

constexpr std::size_t npos = ~std::size_t{0};

/// The initializer named `name`, or null.
const model::Tensor* constant(const model::Graph& g, const std::string& name);

/// A float32 tensor as an xtensor array (a copy).
xt::xarray<float> to_xarray(const model::Tensor& t);

/// An xtensor array as a float32 tensor.
model::Tensor from_xarray(const xt::xarray<float>& a);

/// The node's display name: its name, or "<op_type>_<index>" when it has none.
std::string node_name(const model::Node& node, std::size_t index);

/// Drops initializers no node reads and that are not graph outputs.
void drop_unused_initializers(model::Graph& g);

}  // namespace quantlab::ptq::detail
