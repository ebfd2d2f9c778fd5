// gemm_f32 — fp32 GEMM and matrix-vector over packed weights (eq. K2).
#include <algorithm>
#include <string>

#include "../size_check.h"
#include "blocking.h"
#include "quantlab/error.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::kernels {

void gemm_f32(std::size_t m, const float* a, std::size_t a_stride, const PackedWeightsF32& w, float* c,
              std::size_t c_stride, const F32MinMax& clamp, Isa isa) {
  w.check();
  if (m == 0) return;
  if (a == nullptr || c == nullptr) throw InvalidArgument("gemm_f32: null matrix pointer");
  if (a_stride < w.k) throw InvalidArgument("gemm_f32: A stride " + std::to_string(a_stride) + " < K = " + std::to_string(w.k));
  if (c_stride < w.n) throw InvalidArgument("gemm_f32: C stride " + std::to_string(c_stride) + " < N = " + std::to_string(w.n));
  detail::check_elements(detail::checked_mul(m, a_stride, "A"), "A");
  detail::check_elements(detail::checked_mul(m, c_stride, "C"), "C");
  const KernelConfig& cfg = kernel_config(isa);
  if (m == 1) {
    // Batch 1: the matrix-vector kernel, four panels (kGemvNR columns) per call.
    for (std::size_t n0 = 0; n0 < w.n; n0 += kGemvNR) {
      cfg.f32_gemv(1, std::min(kGemvNR, w.n - n0), w.k, a, a_stride, w.panel(n0 / kF32NR), c + n0, c_stride, clamp);
    }
    return;
  }
  const std::size_t mr = cfg.f32_mr;
  // Blocks of rows of A stay in L2 while all panels pass over them; inside a
  // block, each panel (in L1) meets every row tile.
  const std::size_t mc = detail::block_rows(m, w.k * sizeof(float), mr);
  for (std::size_t m0 = 0; m0 < m; m0 += mc) {
    const std::size_t mb = std::min(mc, m - m0);
    for (std::size_t p = 0; p < w.panels; ++p) {
      const std::size_t n0 = p * kF32NR;
      const std::size_t nc = std::min(kF32NR, w.n - n0);
      const float* wp = w.panel(p);
      for (std::size_t i = 0; i < mb; i += mr) {
        cfg.f32_gemm(std::min(mr, mb - i), nc, w.k, a + (m0 + i) * a_stride, a_stride, wp, c + (m0 + i) * c_stride + n0,
                     c_stride, clamp);
      }
    }
  }
}

}  // namespace quantlab::kernels
