// requant_math.h (internal) — one output value of eq. K6, K9 and K10, in plain C++.
//
// The scalar requantization kernels are loops over these functions, and the
// SIMD kernels use them for their last n % 4 values, so there is exactly one
// statement of the arithmetic in scalar code.
#pragma once

#include <cmath>
#include <cstdint>

namespace quantlab::kernels::detail {

/// eq. K6: acc + col_offset - zb * row_sum. Computed modulo 2^32 (unsigned), as
/// i32x4.add/sub/mul do; the true value fits int32 (eq. K7), so it is exact.
inline std::int32_t corrected_accumulator(std::int32_t acc, std::int32_t col_offset, std::int32_t b_zero_point,
                                          std::int32_t row_sum) {
  const std::uint32_t v = static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(col_offset) -
                          static_cast<std::uint32_t>(b_zero_point) * static_cast<std::uint32_t>(row_sum);
  return static_cast<std::int32_t>(v);
}

/// eq. K9: clamp(round_half_even((float)acc * scale) + zp, min, max), with the
/// clamp applied in float before rounding (lo = min - zp, hi = max - zp are
/// integers, so clamping first and rounding first give the same result).
inline std::int32_t requantize_fp32(std::int32_t acc, float scale, float lo, float hi, std::int32_t zero_point) {
  float f = static_cast<float>(acc) * scale;  // two roundings: int32 -> f32, then the product
  f = f < lo ? lo : f;
  f = hi < f ? hi : f;
  return static_cast<std::int32_t>(std::nearbyint(f)) + zero_point;  // default mode: ties to even
}

/// eq. K10: clamp((float)acc * scale + bias, min, max); NaN passes the clamp.
inline float dequantize_fp32(std::int32_t acc, float scale, float bias, float min, float max) {
  float f = static_cast<float>(acc) * scale;
  f = f + bias;
  f = f < min ? min : f;
  f = max < f ? max : f;
  return f;
}

}  // namespace quantlab::kernels::detail
