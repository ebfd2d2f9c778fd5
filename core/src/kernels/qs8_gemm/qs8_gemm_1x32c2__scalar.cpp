// qs8_gemm_1x32c2__scalar — the scalar twin of qs8_gemm_1x32c2__wasmsimd_dot16x2,
// the matrix-vector (batch 1) tile: one row × four consecutive panels.
//
// Naive on purpose: one panel after the other, kQs8NR int32 accumulators, one
// k pair per step exactly as i32x4.dot_i16x8_s groups them. Compiled without
// auto-vectorization (core/CMakeLists.txt): the honest scalar baseline.
#include <cassert>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

void qs8_gemm_1x32c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                             std::size_t a_stride, const std::int8_t* w, std::int32_t* c,
                             std::size_t c_stride) noexcept {
  assert(mr == 1);
  assert(nc >= 1 && nc <= 4 * kQs8NR);
  assert(kc >= 2 && kc % kQs8KR == 0);
  (void)mr;
  (void)a_stride;
  (void)c_stride;
  const std::size_t panel_stride = (kc / kQs8KR) * sizeof(Qs8PanelRow);
  for (std::size_t q = 0; q * kQs8NR < nc; ++q) {
    const auto* panel = reinterpret_cast<const Qs8PanelRow*>(w + q * panel_stride);
    // Overflow: each step adds at most 2 * 255 * 128 = 65280 in magnitude (eq. K7).
    std::int32_t acc[kQs8NR] = {};
    for (std::size_t p = 0; p < kc / kQs8KR; ++p) {
      const std::int32_t a0 = a[2 * p];
      const std::int32_t a1 = a[2 * p + 1];
      for (std::size_t j = 0; j < kQs8NR; ++j) acc[j] += a0 * panel[p].w[j][0] + a1 * panel[p].w[j][1];
    }
    for (std::size_t j = 0; j < kQs8NR && q * kQs8NR + j < nc; ++j) c[q * kQs8NR + j] = acc[j];
  }
}

}  // namespace quantlab::kernels
