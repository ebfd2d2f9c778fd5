// Rounding of v = x · (1/s) to an integer (Q10), in float32. Private to core/src.
#pragma once

#include <cmath>
#include <cstdint>

#include "quantlab/quant/scheme.h"

namespace quantlab::quant::detail {

/// 2^23: every float32 at or above it is an integer.
constexpr float kFloatIntegerThreshold = 8388608.0f;

/// Nearest integer, ties to even, independent of the FPU rounding mode; the
/// result std::nearbyint gives in the default mode (what ATen and ONNX use).
/// Infinities pass through; callers reject NaN first.
inline float round_half_even_f32(float v) {
  const float a = std::fabs(v);
  if (!(a < kFloatIntegerThreshold)) return v;
  float r = std::floor(a);
  const float frac = a - r;  // exact: a < 2^23, so a and floor(a) share a binade or r = 0
  if (frac > 0.5f || (frac == 0.5f && (static_cast<std::int32_t>(r) & 1) != 0)) r += 1.0f;
  return std::copysign(r, v);
}

/// splitmix64's output for counter `index` of stream `seed`: a well-mixed 64-bit
/// value that depends only on its arguments (the same on every platform).
inline std::uint64_t mix_seed_index(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// floor(v) + 1 with probability frac(v) (to 2^-24), else floor(v) (Q10).
inline float round_stochastic_f32(float v, std::uint64_t seed, std::uint64_t index) {
  if (!(std::fabs(v) < kFloatIntegerThreshold)) return v;
  const float f = std::floor(v);
  const float frac = v - f;                                                          // exact, in [0, 1)
  const float u = static_cast<float>(mix_seed_index(seed, index) >> 40) * 0x1p-24f;  // [0, 1), 24 bits
  return u < frac ? f + 1.0f : f;
}

/// The rounding `mode` applied to v; `index` is the element's flat index.
inline float round_f32(float v, Rounding mode, std::uint64_t seed, std::uint64_t index) {
  switch (mode) {
    case Rounding::half_away:
      return std::round(v);
    case Rounding::stochastic:
      return round_stochastic_f32(v, seed, index);
    case Rounding::half_even:
      break;
  }
  return round_half_even_f32(v);
}

}  // namespace quantlab::quant::detail
