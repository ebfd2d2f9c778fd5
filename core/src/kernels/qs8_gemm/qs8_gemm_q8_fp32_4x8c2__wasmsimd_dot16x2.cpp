// qs8_gemm_{qu8,qs8}_fp32_4x8c2__wasmsimd_dot16x2 — int8 GEMM tile of 4 rows ×
// 8 columns with the requantization fused (microkernels.h), WebAssembly
// SIMD128.
//
// The k loop is qs8_gemm_4x8c2__wasmsimd_dot16x2's (qs8_gemm_4x8c2_loop__wasmsimd.h). Then, per row, its init
// (bias − zx·R, eq. K6) is added and eq. K9 applied on the registers with the
// row's scale (requant_fp32_wasmsimd.h): two saturating narrows (exact, the
// values are already clamped) and one 8-byte store of codes per row. The
// int32 tile is never written out, and one call replaces a tile store, a
// reload and a requantization call per row (about a sixth of a convolution's
// time on fashion_cnn's shapes).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>

#include "quantlab/kernels/microkernels.h"
#include "../requant/requant_fp32_wasmsimd.h"
#include "../store_codes_x8__wasmsimd.h"
#include "qs8_gemm_4x8c2_loop__wasmsimd.h"

namespace quantlab::kernels {
namespace {

/// Row i's 8 accumulators + init, eq. K9, stored as nc codes.
template <class TOut>
inline void store_row(TOut* out, std::size_t nc, v128_t acc0123, v128_t acc4567, std::int32_t init, float scale,
                      const detail::RequantFp32Constants& k) {
  const v128_t vinit = wasm_i32x4_splat(init);
  const v128_t vscale = wasm_f32x4_splat(scale);
  const v128_t q16 = wasm_i16x8_narrow_i32x4(detail::requantize_fp32_x4(wasm_i32x4_add(acc0123, vinit), vscale, k),
                                             detail::requantize_fp32_x4(wasm_i32x4_add(acc4567, vinit), vscale, k));
  detail::store_codes_x8__wasmsimd(out, detail::narrow_i16x8<TOut>(q16), nc);
}

template <class TOut>
void gemm_q8(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a, std::size_t a_stride,
             const std::int8_t* w, const std::int32_t* init, const float* scale, const Q8OutputParams& p, TOut* out,
             std::size_t out_stride) noexcept {
  assert(mr >= 1 && mr <= 4);
  assert(nc >= 1 && nc <= kQs8NR);
  assert(kc >= 2 && kc % kQs8KR == 0);
  // Rows past mr alias the last valid row (its A, init, scale and output):
  // computed, stored to the same place with the same values.
  const std::int16_t* a0 = a;
  const std::int16_t* a1 = mr > 1 ? a0 + a_stride : a0;
  const std::int16_t* a2 = mr > 2 ? a1 + a_stride : a1;
  const std::int16_t* a3 = mr > 3 ? a2 + a_stride : a2;
  const std::size_t r1 = mr > 1 ? 1 : 0, r2 = mr > 2 ? 2 : r1, r3 = mr > 3 ? 3 : r2;

  const detail::Qs8Tile4x8 t = detail::qs8_gemm_4x8c2_loop__wasmsimd(kc, a0, a1, a2, a3, w);

  const detail::RequantFp32Constants k(Q8RowCorrection{nullptr, nullptr, 0}, p);
  // From the last row to the first: an aliased row is rewritten by the row it aliases.
  store_row(out + r3 * out_stride, nc, t.r3x0123, t.r3x4567, init[r3], scale[r3], k);
  store_row(out + r2 * out_stride, nc, t.r2x0123, t.r2x4567, init[r2], scale[r2], k);
  store_row(out + r1 * out_stride, nc, t.r1x0123, t.r1x4567, init[r1], scale[r1], k);
  store_row(out, nc, t.r0x0123, t.r0x4567, init[0], scale[0], k);
}

}  // namespace

void qs8_gemm_qu8_fp32_4x8c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                               std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params,
                                               std::uint8_t* out, std::size_t out_stride) noexcept {
  gemm_q8(mr, nc, kc, a, a_stride, w, init, scale, out_params, out, out_stride);
}

void qs8_gemm_qs8_fp32_4x8c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                               std::size_t a_stride, const std::int8_t* w, const std::int32_t* init,
                                               const float* scale, const Q8OutputParams& out_params,
                                               std::int8_t* out, std::size_t out_stride) noexcept {
  gemm_q8(mr, nc, kc, a, a_stride, w, init, scale, out_params, out, out_stride);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
