// qs8_gemm_4x8c2__scalar — the scalar twin of qs8_gemm_4x8c2__wasmsimd_dot16x2.
//
// Naive on purpose: one row at a time, kQs8NR int32 accumulators, one k pair
// per step exactly as i32x4.dot_i16x8_s groups them. Compiled without
// auto-vectorization (core/CMakeLists.txt): the honest scalar baseline.
#include <cassert>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

void qs8_gemm_4x8c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                            std::size_t a_stride, const std::int8_t* w, std::int32_t* c,
                            std::size_t c_stride) noexcept {
  assert(mr >= 1 && mr <= 4);
  assert(nc >= 1 && nc <= kQs8NR);
  assert(kc >= 2 && kc % kQs8KR == 0);
  const auto* panel = reinterpret_cast<const Qs8PanelRow*>(w);
  for (std::size_t i = 0; i < mr; ++i) {
    const std::int16_t* ai = a + i * a_stride;
    // Overflow: each step adds at most 2 * 255 * 128 = 65280 in magnitude;
    // kc <= kMaxQ8K keeps the sum far inside int32 (eq. K7).
    std::int32_t acc[kQs8NR] = {};
    for (std::size_t p = 0; p < kc / kQs8KR; ++p) {
      const std::int32_t a0 = ai[2 * p];
      const std::int32_t a1 = ai[2 * p + 1];
      for (std::size_t j = 0; j < kQs8NR; ++j) {
        acc[j] += a0 * panel[p].w[j][0] + a1 * panel[p].w[j][1];
      }
    }
    std::int32_t* ci = c + i * c_stride;
    for (std::size_t j = 0; j < nc; ++j) ci[j] = acc[j];
  }
}

}  // namespace quantlab::kernels
