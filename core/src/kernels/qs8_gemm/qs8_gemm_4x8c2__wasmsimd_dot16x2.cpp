// qs8_gemm_4x8c2__wasmsimd_dot16x2 — int8 GEMM tile of 4 rows × 8 columns,
// WebAssembly SIMD128 with i32x4.dot_i16x8_s ("dot16x2").
//
// The panel stores, per pair of k, 8 columns × 2 int8 (Qs8PanelRow). One
// i16x8.load8x8_s sign-extends 4 columns × 2 k straight from memory; A was
// widened to int16 when packed, so one v128.load32_splat gives a row's pair
// (a[k], a[k+1]) in every 32-bit lane. i32x4.dot_i16x8_s then adds
// a[k]*b[k][j] + a[k+1]*b[k+1][j] for 4 columns j at once: 8 multiply-adds per
// instruction. 8 accumulators + 2 B vectors + 1 splat: no spills on x86-64.
// One k pair per iteration: unrolling measured slower under V8.
//
// Overflow: the dot of two int16 pairs is exact in int32 (|a| <= 255,
// |b| <= 128: at most 65280); the accumulators stay exact while
// kc <= 65792, and the operators allow at most kMaxQ8K = 32768 (eq. K7).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>

#include "quantlab/kernels/microkernels.h"
#include "../store_tile_4x8__wasmsimd.h"

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

  v128_t vacc0x0123 = wasm_i32x4_const_splat(0);
  v128_t vacc0x4567 = vacc0x0123;
  v128_t vacc1x0123 = vacc0x0123;
  v128_t vacc1x4567 = vacc0x0123;
  v128_t vacc2x0123 = vacc0x0123;
  v128_t vacc2x4567 = vacc0x0123;
  v128_t vacc3x0123 = vacc0x0123;
  v128_t vacc3x4567 = vacc0x0123;

  std::size_t k = kc;
  for (; k != 0; k -= kQs8KR) {
    const v128_t vb0123 = wasm_i16x8_load8x8(w);
    const v128_t vb4567 = wasm_i16x8_load8x8(w + 8);
    v128_t va = wasm_v128_load32_splat(a0);
    vacc0x0123 = wasm_i32x4_add(vacc0x0123, wasm_i32x4_dot_i16x8(va, vb0123));
    vacc0x4567 = wasm_i32x4_add(vacc0x4567, wasm_i32x4_dot_i16x8(va, vb4567));
    va = wasm_v128_load32_splat(a1);
    vacc1x0123 = wasm_i32x4_add(vacc1x0123, wasm_i32x4_dot_i16x8(va, vb0123));
    vacc1x4567 = wasm_i32x4_add(vacc1x4567, wasm_i32x4_dot_i16x8(va, vb4567));
    va = wasm_v128_load32_splat(a2);
    vacc2x0123 = wasm_i32x4_add(vacc2x0123, wasm_i32x4_dot_i16x8(va, vb0123));
    vacc2x4567 = wasm_i32x4_add(vacc2x4567, wasm_i32x4_dot_i16x8(va, vb4567));
    va = wasm_v128_load32_splat(a3);
    vacc3x0123 = wasm_i32x4_add(vacc3x0123, wasm_i32x4_dot_i16x8(va, vb0123));
    vacc3x4567 = wasm_i32x4_add(vacc3x4567, wasm_i32x4_dot_i16x8(va, vb4567));
    a0 += kQs8KR;
    a1 += kQs8KR;
    a2 += kQs8KR;
    a3 += kQs8KR;
    w += sizeof(Qs8PanelRow);
  }

  detail::store_tile_4x8__wasmsimd(nc, c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123,
                                   vacc2x4567, vacc3x0123, vacc3x4567);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
