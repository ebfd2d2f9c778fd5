// The op registry and the helpers every op uses for shapes and messages.
#include "model/ops/op.h"

#include <algorithm>

namespace quantlab::model {

bool TypeShape::fully_known() const {
  if (!rank_known) return false;
  for (std::int64_t d : shape)
    if (d < 0) return false;
  return true;
}

const TypeShape& InferContext::input(std::size_t i) const {
  if (!has_input(i)) invalid(node, "input " + std::to_string(i) + " is required");
  return *inputs[i];
}

const Tensor& RunContext::input(std::size_t i) const {
  if (!has_input(i)) invalid(node, "input " + std::to_string(i) + " is required");
  return *inputs[i];
}

const TypeShape& BuildContext::input(std::size_t i) const {
  if (!has_input(i)) invalid(node, "input " + std::to_string(i) + " is required");
  return *inputs[i];
}

const std::vector<OpDef>& all_ops() {
  static const std::vector<OpDef> ops = [] {
    std::vector<OpDef> v;
    add_fp32_ops(v);
    add_int8_ops(v);
    return v;
  }();
  return ops;
}

const OpDef* find_op(const std::string& domain, const std::string& op_type) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  for (const OpDef& op : all_ops())
    if (op.domain == d && op.op_type == op_type) return &op;
  return nullptr;
}

std::string where(const Node& node) { return node.label() + ": "; }

void unsupported(const Node& node, const std::string& what) { throw Unsupported(where(node) + what); }

void invalid(const Node& node, const std::string& what) { throw InvalidArgument(where(node) + what); }

std::vector<std::int64_t> broadcast_shapes(const Node& node, const std::vector<std::int64_t>& a,
                                           const std::vector<std::int64_t>& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  std::vector<std::int64_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) out[i] = db;
    else if (db == 1) out[i] = da;
    else if (da < 0 || db < 0) out[i] = da < 0 ? db : da;  // unknown: assume the known one
    else if (da == db) out[i] = da;
    else invalid(node, "shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
  }
  return out;
}

std::int64_t normalize_axis(const Node& node, std::int64_t axis, std::int64_t rank) {
  if (axis < -rank || axis >= rank)
    invalid(node, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

}  // namespace quantlab::model
