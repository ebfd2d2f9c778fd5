// quantlab.QLinearGlobalAveragePool — the executor's private op for a
// quantized global average pool, made by the QDQ rewrite (model/qdq_fusion.h)
// from DequantizeLinear → GlobalAveragePool → QuantizeLinear, as onnxruntime's
// com.microsoft.QLinearGlobalAveragePool (channels first):
//
//   inputs   x, x_scale, x_zero_point, y_scale, y_zero_point
//
//   acc[n][c] = Σ_{spatial} (x[n][c][...] − zx)                     (exact, int64)
//   y[n][c]   = saturate(round_half_even(fl(acc) · M) + zy),  M = fl(sx / (sy · S))
//
// with S the number of spatial positions and M computed in float64 then
// rounded once. The float graph averages fl(sx·(x − zx)) in float32 and
// divides by sy; the two agree except when the real quotient lies within a
// few float32 ulps of a half-integer, where they may differ by one code.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/ops/int8_common.h"
#include "model/ops/op.h"

namespace quantlab::model::int8_ops {
namespace {

enum Input : std::size_t { kX, kXScale, kXZero, kYScale, kYZero };

std::vector<std::int64_t> pooled_shape(const Node& node, std::vector<std::int64_t> shape) {
  if (shape.size() < 3) invalid(node, "x " + shape_string(shape) + " needs N, C and at least one spatial dim");
  std::fill(shape.begin() + 2, shape.end(), 1);
  return shape;
}

/// Planes up to this size are summed in int32.
constexpr std::size_t kInt32Sum = std::size_t{1} << 23;

template <class X, class Y>
void pool_codes(const X* x, Y* y, std::size_t planes, std::size_t size, std::int32_t zx, float multiplier,
                std::int32_t zy, IntRange range) {
  const float lo = static_cast<float>(range.min - zy), hi = static_cast<float>(range.max - zy);
  for (std::size_t p = 0; p < planes; ++p) {
    const X* v = x + p * size;
    std::int64_t sum = 0;
    if (size <= kInt32Sum) {  // |sum| <= 255 · 2^23 < 2^31: int32 lanes, which the compiler vectorizes
      std::int32_t s32 = 0;
      for (std::size_t i = 0; i < size; ++i) s32 += v[i];
      sum = s32;
    } else {
      for (std::size_t i = 0; i < size; ++i) sum += v[i];
    }
    const std::int64_t acc = sum - static_cast<std::int64_t>(size) * zx;
    const float q = std::clamp(static_cast<float>(acc) * multiplier, lo, hi);
    y[p] = static_cast<Y>(static_cast<std::int32_t>(std::nearbyint(q)) + zy);  // ties to even
  }
}

template <class F>
void visit_q8(DataType t, F&& f) {
  if (t == DataType::uint8) f(std::uint8_t{});
  else f(std::int8_t{});
}

void infer_qlinear_global_average_pool(InferContext& ctx) {
  const TypeShape& x = ctx.input(kX);
  TypeShape y;
  y.type = ctx.input(kYZero).type;
  if (x.rank_known) {
    y.rank_known = true;
    y.shape = pooled_shape(ctx.node, x.shape);
  }
  ctx.outputs[0] = y;
}

std::unique_ptr<Kernel> build_qlinear_global_average_pool(const BuildContext& ctx) {
  const Node& node = ctx.node;
  const std::initializer_list<DataType> q8 = {DataType::uint8, DataType::int8};
  require_type(node, "input 'x'", ctx.input(kX).type, q8);
  require_type(node, "input 'x_scale'", ctx.input(kXScale).type, {DataType::float32});
  require_type(node, "input 'y_scale'", ctx.input(kYScale).type, {DataType::float32});
  require_type(node, "input 'y_zero_point'", ctx.input(kYZero).type, q8);
  return function_kernel([](RunContext& rc) {
    const Node& node = rc.node;
    const Tensor& x = rc.input(kX);
    const Tensor& y_zero_point = rc.input(kYZero);
    const std::vector<float> sx = float_values(node, "input 'x_scale'", rc.input(kXScale));
    const std::vector<float> sy = float_values(node, "input 'y_scale'", rc.input(kYScale));
    if (sx.size() != 1 || sy.size() != 1 || y_zero_point.size() != 1)
      invalid(node, "x_scale, y_scale and y_zero_point must hold one value each (per tensor)");
    require_positive_scales(node, "x_scale", sx);
    require_positive_scales(node, "y_scale", sy);
    std::int32_t zx = 0;
    if (rc.has_input(kXZero)) {
      const Tensor& z = rc.input(kXZero);
      require_same_type(node, "x_zero_point", z.type(), "x", x.type());
      if (z.size() != 1) invalid(node, "x_zero_point must hold one value (per tensor)");
      zx = int32_values(z)[0];
    }
    const std::int32_t zy = int32_values(y_zero_point)[0];
    Tensor y(y_zero_point.type(), pooled_shape(node, x.shape()));
    const auto planes = static_cast<std::size_t>(x.dim(0) * x.dim(1));
    const std::size_t size = planes == 0 ? 0 : static_cast<std::size_t>(x.size()) / planes;
    if (planes > 0 && size == 0) invalid(node, "x " + shape_string(x.shape()) + " has no spatial positions to average");
    const auto multiplier = static_cast<float>(static_cast<double>(sx[0]) /
                                               (static_cast<double>(sy[0]) * static_cast<double>(size == 0 ? 1 : size)));
    const IntRange range = int_range(y.type());
    visit_q8(x.type(), [&](auto tx) {
      using X = decltype(tx);
      visit_q8(y.type(), [&](auto ty) {
        using Y = decltype(ty);
        pool_codes(x.data<X>(), y.data<Y>(), planes, size, zx, multiplier, zy, range);
      });
    });
    rc.outputs[0] = std::move(y);
  });
}

}  // namespace

void add_qlinear_global_average_pool_ops(std::vector<OpDef>& ops) {
  ops.push_back({kPrivateDomain, "QLinearGlobalAveragePool", 1, infer_qlinear_global_average_pool,
                 build_qlinear_global_average_pool});
}

}  // namespace quantlab::model::int8_ops
