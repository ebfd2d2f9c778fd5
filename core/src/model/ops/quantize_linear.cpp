// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear, with ONNX's semantics:
//
//   QuantizeLinear         y = saturate(round_half_even(x / y_scale) + y_zero_point)
//   DequantizeLinear       y = (x - x_zero_point) · x_scale
//   DynamicQuantizeLinear  uint8 scale and zero point from the range of x
//                          (widened to contain 0), then QuantizeLinear
//
// ONNX divides by the scale where PyTorch (and quantlab::quant::quantize,
// core/docs/quantization.md Q2) multiplies by 1/s; the two differ in the last
// bit of the quotient and so, at ties, by one code. These loops therefore
// divide, in float32 as numpy and onnxruntime do, and share only the rounding
// helper with quantlab::quant.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "formats/rounding.h"
#include "model/ops/int8_common.h"
#include "model/ops/op.h"
#include "quant/rounding.h"

namespace quantlab::model::int8_ops {
namespace {

// ============================================================================
// Per-tensor and per-axis parameters
// ============================================================================

/// x seen as outer × channels × inner, with one scale and zero point per
/// channel (per tensor: channels == 1).
struct AxisLayout {
  std::size_t outer = 1;
  std::size_t channels = 1;
  std::size_t inner = 1;
};

/// The layout of a tensor of `shape` quantized with parameters of
/// `param_shape`: one value (a scalar, or any shape holding one) is per
/// tensor; a 1-D tensor of shape[axis] values is per axis (opset 13 on).
AxisLayout axis_layout(const Node& node, std::int64_t opset, const std::vector<std::int64_t>& shape,
                       const std::vector<std::int64_t>& param_shape, std::int64_t axis_attr) {
  AxisLayout l;
  const std::int64_t count = element_count(param_shape);
  if (count == 1) {
    l.inner = static_cast<std::size_t>(element_count(shape));
    return l;
  }
  if (opset < 13) invalid(node, "per-axis scales need opset 13; opset " + std::to_string(opset) + " takes a scalar scale");
  if (param_shape.size() != 1)
    invalid(node, "scale has shape " + shape_string(param_shape) + "; expected a scalar or a 1-D tensor");
  const std::int64_t rank = static_cast<std::int64_t>(shape.size());
  const std::int64_t axis = normalize_axis(node, axis_attr, rank);
  if (shape[axis] != count)
    invalid(node, "scale has " + std::to_string(count) + " values but axis " + std::to_string(axis) + " of " +
                      shape_string(shape) + " has " + std::to_string(shape[axis]));
  for (std::int64_t d = 0; d < axis; ++d) l.outer *= static_cast<std::size_t>(shape[d]);
  l.channels = static_cast<std::size_t>(count);
  for (std::int64_t d = axis + 1; d < rank; ++d) l.inner *= static_cast<std::size_t>(shape[d]);
  return l;
}

/// Zero points (0 when the optional input is absent), one per scale.
std::vector<std::int32_t> zero_points(const RunContext& rc, std::size_t index, const Tensor& scale) {
  if (!rc.has_input(index)) return std::vector<std::int32_t>(static_cast<std::size_t>(scale.size()), 0);
  const Tensor& zp = rc.input(index);
  if (zp.size() != scale.size())
    invalid(rc.node, "zero point has shape " + shape_string(zp.shape()) + " but scale has shape " +
                         shape_string(scale.shape()) + "; they must match");
  return int32_values(zp);
}

/// Throws Unsupported for opset 21's blocked quantization.
void refuse_blocks(const Node& node) {
  const std::int64_t block_size = node.get_int("block_size", 0);
  if (block_size != 0)
    unsupported(node, "attribute 'block_size' = " + std::to_string(block_size) +
                          " (blocked quantization) is not supported; per-tensor and per-axis are");
}

TypeShape with_type(const TypeShape& like, DataType type) {
  TypeShape out = like;
  out.type = type;
  out.value = nullptr;
  return out;
}

// ============================================================================
// QuantizeLinear
// ============================================================================

/// One code of float x: saturate(round_half_even(x / s) + z). The quotient is
/// clamped to [qmin - z, qmax - z] before rounding: the bounds are integers,
/// so clamping first and rounding first agree, and ±Inf saturate. NaN has no
/// code (ONNX leaves it undefined); it gets the zero point, the code of 0.
template <class Q>
Q quantize_one(float x, float scale, std::int32_t zp, IntRange range) {
  const float v = x / scale;
  if (std::isnan(v)) return static_cast<Q>(zp);
  const float clamped = std::clamp(v, static_cast<float>(range.min - zp), static_cast<float>(range.max - zp));
  return static_cast<Q>(static_cast<std::int32_t>(quant::detail::round_half_even_f32(clamped)) + zp);
}

/// int32 x: numpy divides an int32 array by a float32 scale in float64, so do we.
template <class Q>
Q quantize_one(std::int32_t x, float scale, std::int32_t zp, IntRange range) {
  const double v = static_cast<double>(x) / static_cast<double>(scale);
  if (std::isnan(v)) return static_cast<Q>(zp);
  const double clamped = std::clamp(v, static_cast<double>(range.min - zp), static_cast<double>(range.max - zp));
  return static_cast<Q>(static_cast<std::int32_t>(formats::round_half_even(clamped)) + zp);
}

/// quantize_one over a run of floats with one scale, without branches: after
/// the clamp |v| <= 65535, where adding and subtracting 1.5 · 2^23 rounds to the
/// nearest integer with ties to even (IEEE round-to-nearest), exactly as
/// round_half_even_f32 does. This loop is the model's entry into int8.
template <class Q>
void quantize_run(const float* x, Q* y, std::size_t n, float scale, std::int32_t zp, IntRange range) {
  constexpr float kRoundMagic = 12582912.0f;
  const float lo = static_cast<float>(range.min - zp), hi = static_cast<float>(range.max - zp);
  for (std::size_t i = 0; i < n; ++i) {
    float v = x[i] / scale;
    v = v != v ? 0.0f : std::min(std::max(v, lo), hi);  // NaN gets the zero point
    const float r = (v + kRoundMagic) - kRoundMagic;
    y[i] = static_cast<Q>(static_cast<std::int32_t>(r) + zp);
  }
}

template <class X, class Q>
void quantize_all(const X* x, Q* y, const AxisLayout& l, const std::vector<float>& scale,
                  const std::vector<std::int32_t>& zp, IntRange range) {
  for (std::size_t o = 0; o < l.outer; ++o)
    for (std::size_t c = 0; c < l.channels; ++c) {
      const std::size_t first = (o * l.channels + c) * l.inner;
      if constexpr (std::is_same_v<X, float>) {
        quantize_run<Q>(x + first, y + first, l.inner, scale[c], zp[c], range);
        continue;
      }
      for (std::size_t i = 0; i < l.inner; ++i) y[first + i] = quantize_one<Q>(x[first + i], scale[c], zp[c], range);
    }
}

template <class X>
void quantize_tensor(const X* x, Tensor& y, const AxisLayout& l, const std::vector<float>& scale,
                     const std::vector<std::int32_t>& zp) {
  const IntRange r = int_range(y.type());
  switch (y.type()) {
    case DataType::uint8: case DataType::uint4: quantize_all(x, y.data<std::uint8_t>(), l, scale, zp, r); break;
    case DataType::int8: case DataType::int4: quantize_all(x, y.data<std::int8_t>(), l, scale, zp, r); break;
    case DataType::uint16: quantize_all(x, y.data<std::uint16_t>(), l, scale, zp, r); break;
    case DataType::int16: quantize_all(x, y.data<std::int16_t>(), l, scale, zp, r); break;
    default: throw InvalidArgument("cannot quantize to " + type_name(y.type()));
  }
}

/// y's type: y_zero_point's, else opset 21's output_dtype, else uint8.
DataType quantized_type(const Node& node, const TypeShape* zero_point) {
  const std::int64_t dtype = node.get_int("output_dtype", 0);
  if (zero_point != nullptr) {
    if (dtype != 0 && dtype != static_cast<std::int64_t>(zero_point->type))
      invalid(node, "attribute 'output_dtype' = " + std::to_string(dtype) + " differs from y_zero_point's type " +
                        type_name(zero_point->type));
    return zero_point->type;
  }
  if (dtype == 0) return DataType::uint8;
  if (!is_known_type(static_cast<std::int32_t>(dtype)))
    unsupported(node, "attribute 'output_dtype' = " + std::to_string(dtype) + " is not supported");
  return static_cast<DataType>(dtype);
}

void infer_quantize_linear(InferContext& ctx) {
  ctx.outputs[0] = with_type(ctx.input(0), quantized_type(ctx.node, ctx.has_input(2) ? &ctx.input(2) : nullptr));
}

std::unique_ptr<Kernel> build_quantize_linear(const BuildContext& ctx) {
  const Node& node = ctx.node;
  refuse_blocks(node);
  require_type(node, "input 'x'", ctx.input(0).type, {DataType::float32, DataType::int32});
  require_type(node, "input 'y_scale'", ctx.input(1).type, {DataType::float32});
  const DataType out = quantized_type(node, ctx.has_input(2) ? &ctx.input(2) : nullptr);
  require_type(node, "the quantized type", out,
               {DataType::uint8, DataType::int8, DataType::uint16, DataType::int16, DataType::uint4, DataType::int4});
  const std::int64_t axis = node.get_int("axis", 1);
  const std::int64_t opset = ctx.opset;
  return function_kernel([axis, opset, out](RunContext& rc) {
    const Tensor& x = rc.input(0);
    const Tensor& scale_tensor = rc.input(1);
    const std::vector<float> scale = float_values(rc.node, "input 'y_scale'", scale_tensor);
    const std::vector<std::int32_t> zp = zero_points(rc, 2, scale_tensor);
    const AxisLayout l = axis_layout(rc.node, opset, x.shape(), scale_tensor.shape(), axis);
    Tensor y(out, x.shape());
    if (x.type() == DataType::float32) quantize_tensor(x.data<float>(), y, l, scale, zp);
    else quantize_tensor(x.data<std::int32_t>(), y, l, scale, zp);
    rc.outputs[0] = std::move(y);
  });
}

// ============================================================================
// DequantizeLinear
// ============================================================================

/// y = (x - z) · s in float32. x - z is formed in int64 and converted once:
/// exact for 8/16-bit x, one rounding for int32 (a bias) beyond 2^24.
template <class X>
void dequantize_all(const X* x, float* y, const AxisLayout& l, const std::vector<float>& scale,
                    const std::vector<std::int32_t>& zp) {
  for (std::size_t o = 0; o < l.outer; ++o)
    for (std::size_t c = 0; c < l.channels; ++c) {
      const std::size_t first = (o * l.channels + c) * l.inner;
      const std::int64_t z = zp[c];
      const float s = scale[c];
      for (std::size_t i = 0; i < l.inner; ++i)
        y[first + i] = static_cast<float>(static_cast<std::int64_t>(x[first + i]) - z) * s;
    }
}

void infer_dequantize_linear(InferContext& ctx) { ctx.outputs[0] = with_type(ctx.input(0), DataType::float32); }

std::unique_ptr<Kernel> build_dequantize_linear(const BuildContext& ctx) {
  const Node& node = ctx.node;
  refuse_blocks(node);
  const DataType x_type = ctx.input(0).type;
  require_type(node, "input 'x'", x_type,
               {DataType::uint8, DataType::int8, DataType::uint16, DataType::int16, DataType::int32, DataType::uint4,
                DataType::int4});
  require_type(node, "input 'x_scale'", ctx.input(1).type, {DataType::float32});
  if (ctx.has_input(2)) require_same_type(node, "x_zero_point", ctx.input(2).type, "x", x_type);
  const std::int64_t axis = node.get_int("axis", 1);
  const std::int64_t opset = ctx.opset;
  return function_kernel([axis, opset](RunContext& rc) {
    const Tensor& x = rc.input(0);
    const Tensor& scale_tensor = rc.input(1);
    const std::vector<float> scale = float_values(rc.node, "input 'x_scale'", scale_tensor);
    const std::vector<std::int32_t> zp = zero_points(rc, 2, scale_tensor);
    const AxisLayout l = axis_layout(rc.node, opset, x.shape(), scale_tensor.shape(), axis);
    Tensor y(DataType::float32, x.shape());
    float* out = y.data<float>();
    switch (x.type()) {
      case DataType::uint8: case DataType::uint4: dequantize_all(x.data<std::uint8_t>(), out, l, scale, zp); break;
      case DataType::int8: case DataType::int4: dequantize_all(x.data<std::int8_t>(), out, l, scale, zp); break;
      case DataType::uint16: dequantize_all(x.data<std::uint16_t>(), out, l, scale, zp); break;
      case DataType::int16: dequantize_all(x.data<std::int16_t>(), out, l, scale, zp); break;
      default: dequantize_all(x.data<std::int32_t>(), out, l, scale, zp); break;
    }
    rc.outputs[0] = std::move(y);
  });
}

// ============================================================================
// DynamicQuantizeLinear
// ============================================================================

/// The scale and zero point of DynamicQuantizeLinear, as its ONNX function
/// body computes them in float32:
///   lo = min(0, min x), hi = max(0, max x), s = (hi - lo) / 255,
///   z = round_half_even(clip(0 - lo / s, 0, 255)).
/// When hi == lo (x all zeros, or empty) the body divides 0 by 0; we follow
/// onnxruntime and use s = 1, so z = 0 and y = 0. NaN elements are skipped
/// when finding the range.
struct DynamicParams {
  float scale = 1.0f;
  std::uint8_t zero_point = 0;
};

DynamicParams dynamic_params(const float* x, std::size_t n) {
  float lo = 0.0f, hi = 0.0f;
  for (std::size_t i = 0; i < n; ++i) {
    lo = std::fmin(lo, x[i]);
    hi = std::fmax(hi, x[i]);
  }
  DynamicParams p;
  if (hi == lo) return p;
  p.scale = (hi - lo) / 255.0f;
  const float initial = 0.0f - lo / p.scale;
  const float clipped = std::clamp(initial, 0.0f, 255.0f);
  p.zero_point = static_cast<std::uint8_t>(quant::detail::round_half_even_f32(clipped));
  return p;
}

void infer_dynamic_quantize_linear(InferContext& ctx) {
  ctx.outputs[0] = with_type(ctx.input(0), DataType::uint8);
  if (ctx.outputs.size() > 1) ctx.outputs[1] = TypeShape::make(DataType::float32, {});
  if (ctx.outputs.size() > 2) ctx.outputs[2] = TypeShape::make(DataType::uint8, {});
}

std::unique_ptr<Kernel> build_dynamic_quantize_linear(const BuildContext& ctx) {
  require_type(ctx.node, "input 'x'", ctx.input(0).type, {DataType::float32});
  return function_kernel([](RunContext& rc) {
    const Tensor& x = rc.input(0);
    const float* in = x.data<float>();
    const auto n = static_cast<std::size_t>(x.size());
    const DynamicParams p = dynamic_params(in, n);
    Tensor y(DataType::uint8, x.shape());
    std::uint8_t* out = y.data<std::uint8_t>();
    const IntRange range{0, 255};
    for (std::size_t i = 0; i < n; ++i) out[i] = quantize_one<std::uint8_t>(in[i], p.scale, p.zero_point, range);
    rc.outputs[0] = std::move(y);
    if (rc.outputs.size() > 1) rc.outputs[1] = Tensor::scalar<float>(p.scale);
    if (rc.outputs.size() > 2) rc.outputs[2] = Tensor::scalar<std::uint8_t>(p.zero_point);
  });
}

}  // namespace

void add_quantize_linear_ops(std::vector<OpDef>& ops) {
  ops.push_back({"", "QuantizeLinear", 10, infer_quantize_linear, build_quantize_linear});
  ops.push_back({"", "DequantizeLinear", 10, infer_dequantize_linear, build_dequantize_linear});
  ops.push_back({"", "DynamicQuantizeLinear", 11, infer_dynamic_quantize_linear, build_dynamic_quantize_linear});
}

}  // namespace quantlab::model::int8_ops
