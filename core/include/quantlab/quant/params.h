// quantlab/quant/params.h — scale and zero point: from a range (Q4–Q8) and the
// per-tensor / per-channel / per-group ranges of an array (Q11).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>
#include <xtensor/xarray.hpp>

#include "quantlab/quant/scheme.h"

namespace quantlab::quant {

/// @brief The parameters of an affine quantizer, one (scale, zero point) per
/// slot. Slots are ordered as param_shape() in row-major order (Q11).
struct QuantParams {
  std::vector<float> scale;              ///< s > 0 per slot, a normal float32 (Q1)
  std::vector<std::int32_t> zero_point;  ///< z in [qmin, qmax] per slot: the code of real 0
  int qmin = 0;                          ///< smallest code (Q3)
  int qmax = 0;                          ///< largest code (Q3)
  Granularity granularity = Granularity::tensor;
  int axis = 0;        ///< channel / group axis; negative counts from the end
  int group_size = 0;  ///< group granularity only
};

/// @brief Per-slot real ranges, e.g. min/max of data or an observer's clipping range.
struct Ranges {
  std::vector<float> min;             ///< per slot
  std::vector<float> max;             ///< per slot, >= min
  std::uint64_t nonfinite_count = 0;  ///< NaN and ±Inf elements that were skipped
};

/// @brief The float32 machine epsilon, 2^-23: the floor of every scale (Q5, Q7), as PyTorch's observers.
constexpr float kMinScale = 1.1920928955078125e-07f;

/// @brief The shape of the parameter arrays for an array of `shape` (Q11):
/// tensor {1}; channel {shape[axis]}; group: `shape` with shape[axis] divided by group_size.
/// Calls validate(spec, shape).
Shape param_shape(const QuantSpec& spec, const Shape& shape);

/// @brief The number of slots, the product of param_shape().
std::size_t param_count(const QuantSpec& spec, const Shape& shape);

/// @brief Min and max per slot of `x`, skipping NaN and ±Inf (counted in
/// nonfinite_count). A slot without finite elements gets the range [0, 0].
Ranges min_max(const xt::xarray<float>& x, const QuantSpec& spec);

/// @brief Scale and zero point per slot from real ranges, as PyTorch's observers
/// compute them in float32: the range is widened to contain 0 (Q4), then
/// asymmetric (Q5, Q6) or symmetric (Q7, Q8). Real 0 is exactly representable.
/// `min` and `max` have one entry per slot, are finite, and min <= max; else
/// InvalidArgument. The granularity, axis and group size are copied from `spec`;
/// quantize() checks them against the array.
QuantParams params_from_range(const QuantSpec& spec, const std::vector<float>& min, const std::vector<float>& max);

/// @brief params_from_range(spec, min_max(x, spec)), with `axis` normalized to x's rank.
QuantParams params_from_data(const xt::xarray<float>& x, const QuantSpec& spec);

/// @brief Checks `params` against an array's shape: axis, slot count, scales
/// positive normal floats (so 1/s is finite), zero points in [qmin, qmax],
/// -2^24 <= qmin < qmax <= 2^24 (codes exact in float32). Throws InvalidArgument
/// naming the mismatch.
void validate(const QuantParams& params, const Shape& shape);

}  // namespace quantlab::quant
