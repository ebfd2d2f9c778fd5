// qs8_gemm_{qu8,qs8}_fp32_4x8c2__scalar — the scalar twins of the int8 GEMM
// tile with fused per-row requantization (microkernels.h): the plain tile's
// sums (qs8_gemm_4x8c2__scalar) and requant_math.h's eq. K9, one row at a time.
#include <cassert>

#include "quantlab/kernels/microkernels.h"
#include "../requant/requant_math.h"

namespace quantlab::kernels {
namespace {

template <class TOut>
void gemm_q8(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a, std::size_t a_stride,
             const std::int8_t* w, const std::int32_t* init, const float* scale, const Q8OutputParams& p, TOut* out,
             std::size_t out_stride) noexcept {
  assert(mr >= 1 && mr <= 4);
  assert(nc >= 1 && nc <= kQs8NR);
  assert(kc >= 2 && kc % kQs8KR == 0);
  const auto* panel = reinterpret_cast<const Qs8PanelRow*>(w);
  const float lo = static_cast<float>(p.min - p.zero_point);
  const float hi = static_cast<float>(p.max - p.zero_point);
  for (std::size_t i = 0; i < mr; ++i) {
    const std::int16_t* ai = a + i * a_stride;
    std::int32_t acc[kQs8NR] = {};  // exact: kc <= kMaxQ8K (eq. K7)
    for (std::size_t q = 0; q < kc / kQs8KR; ++q) {
      const std::int32_t a0 = ai[2 * q];
      const std::int32_t a1 = ai[2 * q + 1];
      for (std::size_t j = 0; j < kQs8NR; ++j) acc[j] += a0 * panel[q].w[j][0] + a1 * panel[q].w[j][1];
    }
    TOut* oi = out + i * out_stride;
    for (std::size_t j = 0; j < nc; ++j) {
      // + init modulo 2^32, as i32x4.add.
      const auto v = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc[j]) + static_cast<std::uint32_t>(init[i]));
      oi[j] = static_cast<TOut>(detail::requantize_fp32(v, scale[i], lo, hi, p.zero_point));
    }
  }
}

}  // namespace

void qs8_gemm_qu8_fp32_4x8c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                     std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::uint8_t* out,
                                     std::size_t out_stride) noexcept {
  gemm_q8(mr, nc, kc, a, a_stride, w, init, scale, out_params, out, out_stride);
}

void qs8_gemm_qs8_fp32_4x8c2__scalar(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                     std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* out,
                                     std::size_t out_stride) noexcept {
  gemm_q8(mr, nc, kc, a, a_stride, w, init, scale, out_params, out, out_stride);
}

}  // namespace quantlab::kernels
