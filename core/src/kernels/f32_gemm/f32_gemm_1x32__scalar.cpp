// f32_gemm_1x32__scalar — the scalar twin of f32_gemm_1x32__wasmsimd, the
// matrix-vector (batch 1) tile: one row × four consecutive panels (32 columns).
//
// Naive on purpose: one panel after the other, kF32NR accumulators, no
// unrolling, compiled without auto-vectorization (core/CMakeLists.txt) so it
// is the honest scalar baseline. Same order of additions per output as the
// SIMD kernel (bias, then k = 0, 1, ...), so both give identical bits.
#include <cassert>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

void f32_gemm_1x32__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const float* a, std::size_t a_stride,
                           const float* w, float* c, std::size_t c_stride, const F32MinMax& params) noexcept {
  assert(mr == 1);
  assert(nc >= 1 && nc <= 4 * kF32NR);
  assert(kc >= 1);
  (void)mr;
  (void)a_stride;
  (void)c_stride;
  const std::size_t panel_stride = kF32NR * (kc + 1);
  for (std::size_t p = 0; p * kF32NR < nc; ++p) {
    const float* wp = w + p * panel_stride;
    float acc[kF32NR];
    for (std::size_t j = 0; j < kF32NR; ++j) acc[j] = wp[j];  // the panel's bias row
    const float* wk = wp + kF32NR;
    for (std::size_t k = 0; k < kc; ++k, wk += kF32NR) {
      const float av = a[k];
      for (std::size_t j = 0; j < kF32NR; ++j) acc[j] = acc[j] + av * wk[j];
    }
    for (std::size_t j = 0; j < kF32NR && p * kF32NR + j < nc; ++j) {
      float v = acc[j];
      v = v < params.min ? params.min : v;
      v = params.max < v ? params.max : v;
      c[p * kF32NR + j] = v;
    }
  }
}

}  // namespace quantlab::kernels
