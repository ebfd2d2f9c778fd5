// Softmax and LogSoftmax (float, opset 1+). Before opset 13 the input is
// coerced to 2-D at `axis` (default 1): the normalization runs over every dim
// from axis on. From 13 it runs over the single dim `axis` (default -1).
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/ops/op_utils.h"

namespace quantlab::model::ops {

namespace {

// The input viewed as outer × length × inner, normalized along `length`.
struct SoftmaxLayout {
  std::size_t outer = 1, length = 1, inner = 1;
};

SoftmaxLayout softmax_layout(const Node& node, std::int64_t opset, const std::vector<std::int64_t>& shape) {
  const auto rank = static_cast<std::int64_t>(shape.size());
  const std::int64_t axis_attr = node.get_int("axis", opset >= 13 ? -1 : 1);
  SoftmaxLayout l;
  if (rank == 0) return l;  // a scalar: one element
  const auto a = static_cast<std::size_t>(normalize_axis(node, axis_attr, rank));
  l.outer = to_size(product(shape, 0, a));
  if (opset >= 13) {
    l.length = to_size(shape[a]);
    l.inner = to_size(product(shape, a + 1, shape.size()));
  } else {
    l.length = to_size(product(shape, a, shape.size()));
  }
  return l;
}

template <bool kLog>
void softmax(const SoftmaxLayout& l, const float* x, float* y) {
  std::vector<float> max(l.inner), sum(l.inner);
  for (std::size_t o = 0; o < l.outer; ++o) {
    const float* xs = x + o * l.length * l.inner;
    float* ys = y + o * l.length * l.inner;
    // Along `length` with stride `inner`; the inner loops are contiguous.
    std::fill(max.begin(), max.end(), -std::numeric_limits<float>::infinity());
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (std::size_t i = 0; i < l.length; ++i)
      for (std::size_t j = 0; j < l.inner; ++j) max[j] = std::max(max[j], xs[i * l.inner + j]);
    for (std::size_t i = 0; i < l.length; ++i) {
      for (std::size_t j = 0; j < l.inner; ++j) {
        const float e = std::exp(xs[i * l.inner + j] - max[j]);
        if constexpr (!kLog) ys[i * l.inner + j] = e;
        sum[j] += e;
      }
    }
    if constexpr (kLog) {
      for (std::size_t j = 0; j < l.inner; ++j) sum[j] = max[j] + std::log(sum[j]);  // log Σ exp(x)
      for (std::size_t i = 0; i < l.length; ++i)
        for (std::size_t j = 0; j < l.inner; ++j) ys[i * l.inner + j] = xs[i * l.inner + j] - sum[j];
    } else {
      for (std::size_t i = 0; i < l.length; ++i)
        for (std::size_t j = 0; j < l.inner; ++j) ys[i * l.inner + j] /= sum[j];
    }
  }
}

void infer_softmax(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  require_float(ctx.node, x.type, "input X");
  if (x.rank_known) softmax_layout(ctx.node, ctx.opset, std::vector<std::int64_t>(x.shape.size(), 1));  // checks axis
  infer_output(ctx, 0) = TypeShape{DataType::float32, x.rank_known, x.shape, nullptr};
}

template <bool kLog>
std::unique_ptr<Kernel> build_softmax(const BuildContext& ctx) {
  require_float(ctx.node, ctx.input(0).type, "input X");
  const std::int64_t opset = ctx.opset;
  return function_kernel([opset](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    const float* xd = float_data(ctx.node, x, "input X");
    const SoftmaxLayout l = softmax_layout(ctx.node, opset, x.shape());
    Tensor y(DataType::float32, x.shape());
    if (x.size() > 0) softmax<kLog>(l, xd, y.data<float>());
    set_output(ctx, 0, std::move(y));
  });
}

}  // namespace

void add_softmax_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "Softmax", 1, infer_softmax, build_softmax<false>});
  ops.push_back(OpDef{"", "LogSoftmax", 1, infer_softmax, build_softmax<true>});
}

}  // namespace quantlab::model::ops
