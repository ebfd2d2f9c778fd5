// vadd_{qu8,qs8}_fp32__scalar — quantized addition of two code arrays
// (microkernels.h) in plain C++, as the three float nodes compute it: the
// reference of the SIMD twins.
#include <cmath>
#include <cstdint>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {
namespace {

template <class T>
void vadd(std::size_t n, const T* a, const T* b, const Q8AddParams& p, T* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const float fa = static_cast<float>(static_cast<std::int32_t>(a[i]) - p.a_zero_point) * p.a_scale;
    const float fb = static_cast<float>(static_cast<std::int32_t>(b[i]) - p.b_zero_point) * p.b_scale;
    float q = (fa + fb) / p.y_scale;
    q = q < p.lo ? p.lo : q;
    q = p.hi < q ? p.hi : q;
    out[i] = static_cast<T>(static_cast<std::int32_t>(std::nearbyint(q)) + p.y_zero_point);  // ties to even
  }
}

}  // namespace

void vadd_qu8_fp32__scalar(std::size_t n, const std::uint8_t* a, const std::uint8_t* b, const Q8AddParams& params,
                           std::uint8_t* out) noexcept {
  vadd(n, a, b, params, out);
}

void vadd_qs8_fp32__scalar(std::size_t n, const std::int8_t* a, const std::int8_t* b, const Q8AddParams& params,
                           std::int8_t* out) noexcept {
  vadd(n, a, b, params, out);
}

}  // namespace quantlab::kernels
