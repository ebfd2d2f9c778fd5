// The c2 activation packing shared by pack_a_qs8_c2 and pack_a_qu8_c2: rows
// widened to int16, padded with zeros to k_padded, with their sums (eq. K5).
#pragma once

#include <cstddef>
#include <cstdint>

namespace quantlab::kernels::detail {

template <typename T>
void pack_a_c2(std::size_t rows, std::size_t k, const T* a, std::size_t a_stride, std::size_t k_padded,
               std::int16_t* packed, std::int32_t* row_sums) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* src = a + r * a_stride;
    std::int16_t* dst = packed + r * k_padded;
    std::int32_t sum = 0;  // |sum| <= 255 * 32768 < 2^23
    for (std::size_t kk = 0; kk < k; ++kk) {
      dst[kk] = src[kk];
      sum += src[kk];
    }
    for (std::size_t kk = k; kk < k_padded; ++kk) dst[kk] = 0;  // pairs with zero weights
    row_sums[r] = sum;
  }
}

}  // namespace quantlab::kernels::detail
