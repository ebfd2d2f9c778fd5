// quant/reference_quantizer.h — a deliberately naive quantizer to check the
// library against: one element at a time, the slot found from the element's
// multi-index (not from the library's run decomposition), rounding by the FPU's
// nearbyint in its default mode (not the library's own tie test).
#pragma once

#include <cfenv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantlab/quant/scheme.h"

namespace quantlab::test {

/// @brief The multi-index of row-major flat index `flat` in `shape`.
inline std::vector<std::size_t> unravel(const quant::Shape& shape, std::size_t flat) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return idx;
}

/// @brief The parameter slot of element `flat` (Q11), spelled out: per channel
/// the index along the axis; per group the row-major position of the multi-index
/// whose axis component is divided by the group size, in the shape whose axis is.
inline std::size_t reference_slot(const quant::Shape& shape, quant::Granularity g, std::size_t axis, std::size_t group,
                                  std::size_t flat) {
  if (g == quant::Granularity::tensor) return 0;
  std::vector<std::size_t> idx = unravel(shape, flat);
  if (g == quant::Granularity::channel) return idx[axis];
  quant::Shape pshape = shape;
  pshape[axis] /= group;
  idx[axis] /= group;
  std::size_t slot = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) slot = slot * pshape[d] + idx[d];
  return slot;
}

/// @brief (Q2) literally, in float32: nearbyint(x · (1/s)) + z, clamped.
inline std::int32_t reference_code(float x, float s, std::int32_t z, int qmin, int qmax) {
  const float inv = 1.0f / s;
  const float v = x * inv;
  const double q = static_cast<double>(std::nearbyint(v)) + z;
  if (q < qmin) return qmin;
  if (q > qmax) return qmax;
  return static_cast<std::int32_t>(q);
}

/// @brief (Q1) literally: (q − z) · s in float32.
inline float reference_value(std::int32_t q, float s, std::int32_t z) { return static_cast<float>(q - z) * s; }

}  // namespace quantlab::test
