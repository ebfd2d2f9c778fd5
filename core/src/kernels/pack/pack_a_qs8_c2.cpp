// pack_a_qs8_c2 — int8 activations widened to int16 for the c2 kernels, with row sums (eq. K5).
#include "pack_a_c2.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {

void pack_a_qs8_c2(std::size_t rows, std::size_t k, const std::int8_t* a, std::size_t a_stride,
                   std::size_t k_padded, std::int16_t* packed, std::int32_t* row_sums) {
  detail::pack_a_c2(rows, k, a, a_stride, k_padded, packed, row_sums);
}

}  // namespace quantlab::kernels
