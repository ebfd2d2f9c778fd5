// Helpers shared by the fp32 op files (op_utils.h).
#include "model/ops/op_utils.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace quantlab::model::ops {

TypeShape& infer_output(InferContext& ctx, std::size_t i) {
  if (ctx.outputs.size() < ctx.node.outputs.size()) ctx.outputs.resize(ctx.node.outputs.size());
  if (i >= ctx.outputs.size()) ctx.outputs.resize(i + 1);
  return ctx.outputs[i];
}

void set_output(RunContext& ctx, std::size_t i, Tensor t) {
  if (ctx.outputs.size() < ctx.node.outputs.size()) ctx.outputs.resize(ctx.node.outputs.size());
  if (i >= ctx.outputs.size()) ctx.outputs.resize(i + 1);
  ctx.outputs[i] = std::move(t);
}

const float* float_data(const Node& node, const Tensor& t, const char* what) {
  if (t.type() != DataType::float32) unsupported(node, std::string(what) + " of type " + type_name(t.type()) + " is not supported (float only)");
  return t.data<float>();
}

void require_float(const Node& node, DataType type, const char* what) {
  if (type != DataType::float32 && type != DataType::undefined)
    unsupported(node, std::string(what) + " of type " + type_name(type) + " is not supported (float only)");
}

std::vector<std::int64_t> int_values(const Node& node, const Tensor& t, const char* what) {
  if (t.type() != DataType::int64 && t.type() != DataType::int32)
    invalid(node, std::string(what) + " must be int64 or int32, not " + type_name(t.type()));
  return t.to_int64();
}

std::int64_t product(const std::vector<std::int64_t>& shape, std::size_t from, std::size_t to) {
  std::int64_t p = 1;
  for (std::size_t i = from; i < to; ++i) p *= shape[i];
  return p;
}

void check_buffer(const Node& node, const std::vector<std::int64_t>& dims, std::size_t element_bytes, const char* what) {
  const std::int64_t count = element_count(dims);  // InvalidArgument beyond 2^40 elements
  if (static_cast<std::uint64_t>(count) > std::numeric_limits<std::size_t>::max() / (2 * element_bytes))
    invalid(node, std::string(what) + " of " + shape_string(dims) + " elements is too large for this build");
}

Tensor new_tensor(const Node& node, DataType type, std::vector<std::int64_t> shape) {
  check_buffer(node, shape, std::max<std::size_t>(element_size(type), 1), "output");
  return Tensor(type, std::move(shape));
}

Tensor with_shape(const Tensor& t, std::vector<std::int64_t> shape) { return t.reshaped(std::move(shape)); }

}  // namespace quantlab::model::ops
