// Elementwise unary ops: Relu, LeakyRelu, Clip, Sigmoid, Tanh, Erf, Sqrt,
// Exp, Log, Neg, Abs, Reciprocal (float; Relu, Clip, Neg and Abs also on the
// integer types). All opset 1+: the only changes across versions are the
// types and Clip's bounds (attributes before opset 11, inputs from 11).
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "model/ops/op_utils.h"

namespace quantlab::model::ops {

namespace {

void infer_same(InferContext& ctx) {
  const TypeShape& x = ctx.input(0);
  infer_output(ctx, 0) = TypeShape{x.type, x.rank_known, x.shape, nullptr};
}

void infer_same_float(InferContext& ctx) {
  require_float(ctx.node, ctx.input(0).type, "input X");
  infer_same(ctx);
}

void infer_same_numeric(InferContext& ctx) {
  if (ctx.input(0).type != DataType::undefined) visit_numeric(ctx.node, ctx.input(0).type, [](auto) {});
  infer_same(ctx);
}

// y[i] = f(x[i]) over a float tensor; f is inlined so the loop can vectorize.
template <class F>
std::unique_ptr<Kernel> float_map(const BuildContext& ctx, F f) {
  require_float(ctx.node, ctx.input(0).type, "input X");
  return function_kernel([f](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    const float* xd = float_data(ctx.node, x, "input X");
    Tensor y(DataType::float32, x.shape());
    float* yd = y.data<float>();
    const std::size_t n = to_size(x.size());
    for (std::size_t i = 0; i < n; ++i) yd[i] = f(xd[i]);
    set_output(ctx, 0, std::move(y));
  });
}

// The same over any numeric type; f is a generic lambda.
template <class F>
std::unique_ptr<Kernel> numeric_map(const BuildContext& ctx, F f) {
  if (ctx.input(0).type != DataType::undefined) visit_numeric(ctx.node, ctx.input(0).type, [](auto) {});
  return function_kernel([f](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    visit_numeric(ctx.node, x.type(), [&](auto zero) {
      using T = decltype(zero);
      const T* xd = x.data<T>();
      Tensor y(x.type(), x.shape());
      T* yd = y.data<T>();
      const std::size_t n = to_size(x.size());
      for (std::size_t i = 0; i < n; ++i) yd[i] = f(xd[i]);
      set_output(ctx, 0, std::move(y));
    });
  });
}

std::unique_ptr<Kernel> build_relu(const BuildContext& ctx) {
  return numeric_map(ctx, [](auto v) { return v < decltype(v){0} ? decltype(v){0} : v; });
}

std::unique_ptr<Kernel> build_leaky_relu(const BuildContext& ctx) {
  const float alpha = ctx.node.get_float("alpha", 0.01f);
  return float_map(ctx, [alpha](float v) { return v < 0.0f ? alpha * v : v; });
}

std::unique_ptr<Kernel> build_sigmoid(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
}

std::unique_ptr<Kernel> build_tanh(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return std::tanh(v); });
}

std::unique_ptr<Kernel> build_erf(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return std::erf(v); });
}

std::unique_ptr<Kernel> build_sqrt(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return std::sqrt(v); });
}

std::unique_ptr<Kernel> build_exp(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return std::exp(v); });
}

std::unique_ptr<Kernel> build_log(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return std::log(v); });
}

std::unique_ptr<Kernel> build_reciprocal(const BuildContext& ctx) {
  return float_map(ctx, [](float v) { return 1.0f / v; });
}

std::unique_ptr<Kernel> build_neg(const BuildContext& ctx) {
  return numeric_map(ctx, [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_integral_v<T>) {
      // Wraps (-INT_MIN = INT_MIN) instead of overflowing; uint8 wraps as well.
      return static_cast<T>(std::make_unsigned_t<T>{0} - static_cast<std::make_unsigned_t<T>>(v));
    } else {
      return -v;
    }
  });
}

std::unique_ptr<Kernel> build_abs(const BuildContext& ctx) {
  return numeric_map(ctx, [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      return v < 0 ? static_cast<T>(std::make_unsigned_t<T>{0} - static_cast<std::make_unsigned_t<T>>(v)) : v;
    } else if constexpr (std::is_integral_v<T>) {
      return v;
    } else {
      return std::fabs(v);
    }
  });
}

// ============================================================================
// Clip: y = min(max(x, min), max), as onnxruntime (min > max gives max)
// ============================================================================

template <class T>
void clip_values(const T* x, T* y, std::size_t n, T lo, T hi) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = x[i] < lo ? lo : x[i];
    y[i] = hi < v ? hi : v;
  }
}

// A scalar bound input (opset 11+) of x's type; `fallback` when absent.
template <class T>
T bound_value(const RunContext& ctx, std::size_t i, T fallback, const char* what) {
  if (!ctx.has_input(i)) return fallback;
  const Tensor& t = *ctx.inputs[i];
  if (t.size() != 1) invalid(ctx.node, std::string(what) + " must be a scalar, not " + shape_string(t.shape()));
  if (t.type() != data_type_of<T>::value) invalid(ctx.node, std::string(what) + " has type " + type_name(t.type()) + ", not the input's");
  return t.data<T>()[0];
}

std::unique_ptr<Kernel> build_clip(const BuildContext& ctx) {
  const Node& node = ctx.node;
  if (ctx.opset < 11) {
    require_float(node, ctx.input(0).type, "input X");
    // Absent bounds: none in opset 1, ±FLT_MAX (so ±infinity saturates) in opset 6-10.
    const float unbounded = ctx.opset >= 6 ? std::numeric_limits<float>::max() : std::numeric_limits<float>::infinity();
    const float lo = node.get_float("min", -unbounded);
    const float hi = node.get_float("max", unbounded);
    return function_kernel([lo, hi](RunContext& ctx) {
      const Tensor& x = ctx.input(0);
      Tensor y(DataType::float32, x.shape());
      clip_values(float_data(ctx.node, x, "input X"), y.data<float>(), to_size(x.size()), lo, hi);
      set_output(ctx, 0, std::move(y));
    });
  }
  if (ctx.input(0).type != DataType::undefined) visit_numeric(node, ctx.input(0).type, [](auto) {});
  return function_kernel([](RunContext& ctx) {
    const Tensor& x = ctx.input(0);
    visit_numeric(ctx.node, x.type(), [&](auto zero) {
      using T = decltype(zero);
      // Absent bounds: the type's extremes (±infinity for float, so NaN passes).
      const T lowest = std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
      const T highest = std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
      const T lo = bound_value<T>(ctx, 1, lowest, "input 'min'");
      const T hi = bound_value<T>(ctx, 2, highest, "input 'max'");
      Tensor y(x.type(), x.shape());
      clip_values(x.data<T>(), y.data<T>(), to_size(x.size()), lo, hi);
      set_output(ctx, 0, std::move(y));
    });
  });
}

}  // namespace

void add_activation_ops(std::vector<OpDef>& ops) {
  ops.push_back(OpDef{"", "Relu", 1, infer_same_numeric, build_relu});
  ops.push_back(OpDef{"", "LeakyRelu", 1, infer_same_float, build_leaky_relu});
  ops.push_back(OpDef{"", "Clip", 1, infer_same_numeric, build_clip});
  ops.push_back(OpDef{"", "Sigmoid", 1, infer_same_float, build_sigmoid});
  ops.push_back(OpDef{"", "Tanh", 1, infer_same_float, build_tanh});
  ops.push_back(OpDef{"", "Erf", 9, infer_same_float, build_erf});
  ops.push_back(OpDef{"", "Sqrt", 1, infer_same_float, build_sqrt});
  ops.push_back(OpDef{"", "Exp", 1, infer_same_float, build_exp});
  ops.push_back(OpDef{"", "Log", 1, infer_same_float, build_log});
  ops.push_back(OpDef{"", "Reciprocal", 1, infer_same_float, build_reciprocal});
  ops.push_back(OpDef{"", "Neg", 1, infer_same_numeric, build_neg});
  ops.push_back(OpDef{"", "Abs", 1, infer_same_numeric, build_abs});
}

}  // namespace quantlab::model::ops
