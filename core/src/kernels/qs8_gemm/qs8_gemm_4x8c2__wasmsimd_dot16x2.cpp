// qs8_gemm_4x8c2__wasmsimd_dot16x2 — int8 GEMM tile of 4 rows × 8 columns,
// WebAssembly SIMD128 with i32x4.dot_i16x8_s ("dot16x2").
//
// The k loop (qs8_gemm_4x8c2_loop__wasmsimd.h) is shared with the tiles that
// requantize in registers; this one stores the int32 tile.
//
// Overflow: the dot of two int16 pairs is exact in int32 (|a| <= 255,
// |b| <= 128: at most 65280); the accumulators stay exact while
// kc <= 65792, and the operators allow at most kMaxQ8K = 32768 (eq. K7).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>

#include "quantlab/kernels/microkernels.h"
#include "../store_tile_4x8__wasmsimd.h"
#include "qs8_gemm_4x8c2_loop__wasmsimd.h"

namespace quantlab::kernels {

void qs8_gemm_4x8c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc,
                                      const std::int16_t* a, std::size_t a_stride, const std::int8_t* w,
                                      std::int32_t* c, std::size_t c_stride) noexcept {
  assert(mr >= 1 && mr <= 4);
  assert(nc >= 1 && nc <= kQs8NR);
  assert(kc >= 2 && kc % kQs8KR == 0);
  // Rows past mr alias the last valid row: computed, never stored apart.
  const std::int16_t* a0 = a;
  std::int32_t* c0 = c;
  const std::int16_t* a1 = mr > 1 ? a0 + a_stride : a0;
  std::int32_t* c1 = mr > 1 ? c0 + c_stride : c0;
  const std::int16_t* a2 = mr > 2 ? a1 + a_stride : a1;
  std::int32_t* c2 = mr > 2 ? c1 + c_stride : c1;
  const std::int16_t* a3 = mr > 3 ? a2 + a_stride : a2;
  std::int32_t* c3 = mr > 3 ? c2 + c_stride : c2;

  const detail::Qs8Tile4x8 t = detail::qs8_gemm_4x8c2_loop__wasmsimd(kc, a0, a1, a2, a3, w);
  detail::store_tile_4x8__wasmsimd(nc, c0, c1, c2, c3, t.r0x0123, t.r0x4567, t.r1x0123, t.r1x4567, t.r2x0123,
                                   t.r2x4567, t.r3x0123, t.r3x4567);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
