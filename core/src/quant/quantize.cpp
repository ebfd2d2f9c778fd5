#include "quantlab/quant/quantize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "quant/layout.h"
#include "quant/rounding.h"
#include "quantlab/error.h"

namespace quantlab::quant {
namespace {

template <typename S>
Shape shape_of(const S& s) {
  return Shape(s.begin(), s.end());
}

detail::SlotLayout layout_of(const QuantParams& params, const Shape& shape) {
  validate(params, shape);
  QuantSpec spec;
  spec.granularity = params.granularity;
  spec.axis = params.axis;
  spec.group_size = params.group_size;
  return detail::slot_layout(spec, shape);
}

[[noreturn]] void throw_nan(std::size_t index) {
  throw InvalidArgument("cannot quantize NaN (element " + std::to_string(index) + "); NaN has no integer code");
}

// (Q2) One code, in float32 as ATen's quantize_val: v = x · (1/s), rounded,
// plus z, clamped. The sum is formed in double: exact for every |r| < 2^53, and
// beyond 2^24 it saturates to the same bound as torch's float sum.
inline std::int32_t quantize_one(float x, float inv_scale, std::int32_t z, int qmin, int qmax, Rounding rounding,
                                 std::uint64_t seed, std::size_t index) {
  if (std::isnan(x)) throw_nan(index);
  const float r = detail::round_f32(x * inv_scale, rounding, seed, index);
  const double q = std::clamp(static_cast<double>(r) + z, static_cast<double>(qmin), static_cast<double>(qmax));
  return static_cast<std::int32_t>(q);
}

// Quantizes every element of x and stores fn(code, s, z) for it: the code
// itself (quantize) or its value (fake_quantize).
template <typename Out, typename Fn>
xt::xarray<Out> map_codes(const xt::xarray<float>& x, const QuantParams& params, Rounding rounding, std::uint64_t seed,
                          Fn&& fn) {
  const detail::SlotLayout layout = layout_of(params, shape_of(x.shape()));
  xt::xarray<Out> out(x.shape());
  const float* in = x.data();
  Out* dst = out.data();
  detail::for_each_slot_run(layout, [&](std::size_t first, std::size_t count, std::size_t stride, std::size_t slot) {
    const float s = params.scale[slot];
    const float inv_scale = 1.0f / s;  // finite: validate() requires s >= FLT_MIN
    const std::int32_t z = params.zero_point[slot];
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t at = first + i * stride;
      const std::int32_t q = quantize_one(in[at], inv_scale, z, params.qmin, params.qmax, rounding, seed, at);
      dst[at] = fn(q, s, z);
    }
  });
  return out;
}

// (Q1) in float32 as ATen's dequantize_val: (q − z) is exact (|codes| <= 2^24).
// A grid stretched to within a step of ±FLT_MAX can have an end level beyond
// float32; that level saturates to ±FLT_MAX instead of becoming ±Inf.
inline float dequantize_one(std::int32_t q, float s, std::int32_t z) {
  const float v = static_cast<float>(q - z) * s;
  return std::isinf(v) ? std::copysign(FLT_MAX, v) : v;
}

}  // namespace

xt::xarray<std::int32_t> quantize(const xt::xarray<float>& x, const QuantParams& params, Rounding rounding,
                                  std::uint64_t seed) {
  return map_codes<std::int32_t>(x, params, rounding, seed, [](std::int32_t q, float, std::int32_t) { return q; });
}

xt::xarray<float> fake_quantize(const xt::xarray<float>& x, const QuantParams& params, Rounding rounding,
                                std::uint64_t seed) {  // (Q9)
  return map_codes<float>(x, params, rounding, seed, dequantize_one);
}

xt::xarray<float> dequantize(const xt::xarray<std::int32_t>& q, const QuantParams& params) {
  const detail::SlotLayout layout = layout_of(params, shape_of(q.shape()));
  xt::xarray<float> out(q.shape());
  const std::int32_t* in = q.data();
  float* dst = out.data();
  detail::for_each_slot_run(layout, [&](std::size_t first, std::size_t count, std::size_t stride, std::size_t slot) {
    const float s = params.scale[slot];
    const std::int32_t z = params.zero_point[slot];
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t at = first + i * stride;
      const std::int32_t code = in[at];
      if (code < params.qmin || code > params.qmax) {
        throw InvalidArgument("code " + std::to_string(code) + " at element " + std::to_string(at) + " is outside [" +
                              std::to_string(params.qmin) + ", " + std::to_string(params.qmax) + "]");
      }
      dst[at] = dequantize_one(code, s, z);
    }
  });
  return out;
}

}  // namespace quantlab::quant
