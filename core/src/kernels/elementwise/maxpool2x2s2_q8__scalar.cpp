// maxpool2x2s2_{qu8,qs8}__scalar — one output row of 2×2 stride-2 max pooling
// of codes (microkernels.h): the reference of the SIMD twins.
#include <algorithm>
#include <cstdint>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {
namespace {

template <class T>
void maxpool_row(std::size_t n, const T* r0, const T* r1, T* out) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    out[i] = std::max(std::max(r0[2 * i], r0[2 * i + 1]), std::max(r1[2 * i], r1[2 * i + 1]));
}

}  // namespace

void maxpool2x2s2_qu8__scalar(std::size_t n, const std::uint8_t* r0, const std::uint8_t* r1, std::uint8_t* out) noexcept {
  maxpool_row(n, r0, r1, out);
}

void maxpool2x2s2_qs8__scalar(std::size_t n, const std::int8_t* r0, const std::int8_t* r1, std::int8_t* out) noexcept {
  maxpool_row(n, r0, r1, out);
}

}  // namespace quantlab::kernels
