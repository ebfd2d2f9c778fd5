// The k loop of the 4×8 int8 GEMM tiles (c2 panels), WebAssembly SIMD128,
// shared by qs8_gemm_4x8c2__wasmsimd_dot16x2 (int32 tile out) and
// qs8_gemm_{qu8,qs8}_fp32_4x8c2__wasmsimd_dot16x2 (requantized codes out).
//
// The panel stores, per pair of k, 8 columns × 2 int8 (Qs8PanelRow). One
// i16x8.load8x8_s sign-extends 4 columns × 2 k straight from memory; A was
// widened to int16 when packed, so one v128.load32_splat gives a row's pair
// (a[k], a[k+1]) in every 32-bit lane. i32x4.dot_i16x8_s then adds
// a[k]*b[k][j] + a[k+1]*b[k+1][j] for 4 columns j at once: 8 multiply-adds per
// instruction. 8 accumulators + 2 B vectors + 1 splat: no spills on x86-64.
// One k pair per iteration: unrolling measured slower under V8.
#pragma once

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels::detail {

/// The 4×8 int32 sums of rows a0..a3 (kc int16 each) with one panel, in
/// eight accumulators: acc[r][0] columns 0-3, acc[r][1] columns 4-7.
struct Qs8Tile4x8 {
  v128_t r0x0123, r0x4567, r1x0123, r1x4567, r2x0123, r2x4567, r3x0123, r3x4567;
};

__attribute__((always_inline)) inline Qs8Tile4x8 qs8_gemm_4x8c2_loop__wasmsimd(std::size_t kc, const std::int16_t* a0,
                                                                                 const std::int16_t* a1,
                                                                                 const std::int16_t* a2,
                                                                                 const std::int16_t* a3,
                                                                                 const std::int8_t* w) noexcept {
  v128_t vacc0x0123 = wasm_i32x4_const_splat(0);
  v128_t vacc0x4567 = vacc0x0123;
  v128_t vacc1x0123 = vacc0x0123;
  v128_t vacc1x4567 = vacc0x0123;
  v128_t vacc2x0123 = vacc0x0123;
  v128_t vacc2x4567 = vacc0x0123;
  v128_t vacc3x0123 = vacc0x0123;
  v128_t vacc3x4567 = vacc0x0123;
  for (std::size_t k = kc; k != 0; k -= kQs8KR) {
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
  return {vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123, vacc2x4567, vacc3x0123, vacc3x4567};
}

}  // namespace quantlab::kernels::detail

#endif  // __wasm_simd128__
