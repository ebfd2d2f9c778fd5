// f32_gemm_4x8__scalar — the scalar twin of f32_gemm_4x8__wasmsimd.
//
// Naive on purpose: one row at a time, kF32NR accumulators, no unrolling, so it
// is easy to check and honest as the "scalar" baseline of the benchmark (this
// file is compiled without auto-vectorization, see core/CMakeLists.txt). It
// adds the products in the same order as the SIMD kernel (bias, then k = 0, 1,
// ...), one rounding per multiply and per add, so both give identical bits.
#include <cassert>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

void f32_gemm_4x8__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                          std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                          const F32MinMax& params) noexcept {
  assert(mr >= 1 && mr <= 4);
  assert(nc >= 1 && nc <= kF32NR);
  assert(kc >= 1);
  for (std::size_t i = 0; i < mr; ++i) {
    const float* ai = a + i * a_stride;
    float acc[kF32NR];
    for (std::size_t j = 0; j < kF32NR; ++j) acc[j] = w[j];  // the panel's bias row
    const float* wk = w + kF32NR;
    for (std::size_t k = 0; k < kc; ++k, wk += kF32NR) {
      const float av = ai[k];
      for (std::size_t j = 0; j < kF32NR; ++j) acc[j] = acc[j] + av * wk[j];
    }
    float* ci = c + i * c_stride;
    for (std::size_t j = 0; j < nc; ++j) {
      float v = acc[j];
      v = v < params.min ? params.min : v;  // as f32x4.pmax(v, min): NaN passes
      v = params.max < v ? params.max : v;  // as f32x4.pmin(v, max)
      ci[j] = v;
    }
  }
}

}  // namespace quantlab::kernels
