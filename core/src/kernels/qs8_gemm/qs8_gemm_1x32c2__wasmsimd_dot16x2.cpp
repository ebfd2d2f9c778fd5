// qs8_gemm_1x32c2__wasmsimd_dot16x2 — int8 matrix-vector tile (batch 1): one
// row × four consecutive panels (32 columns), WebAssembly SIMD128.
//
// At batch 1 each weight byte is used once, so the kernel is bound by memory
// traffic: 8 bits per weight here against 32 for fp32, which is where int8
// wins. Four panels are read at once (four sequential streams: measured about
// 40% faster than one panel at a time). Per k pair: one splat of A's pair,
// eight i16x8.load8x8_s (sign-extending loads, 64 weight bytes), eight
// i32x4.dot_i16x8_s and eight adds into 8 accumulators (8 + 1 + a loaded
// operand: no spills). Panel q starts q * (kc / 2) * 16 bytes after the first;
// panels past nc are not read (their pointers alias the last one that exists).
//
// Overflow: as in the 4x8c2 kernel, exact for kc <= 65792 (eq. K7).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

void qs8_gemm_1x32c2__wasmsimd_dot16x2(std::size_t mr, std::size_t nc, std::size_t kc, const std::int16_t* a,
                                       std::size_t a_stride, const std::int8_t* w, std::int32_t* c,
                                       std::size_t c_stride) noexcept {
  assert(mr == 1);
  assert(nc >= 1 && nc <= 4 * kQs8NR);
  assert(kc >= 2 && kc % kQs8KR == 0);
  (void)mr;
  (void)a_stride;
  (void)c_stride;
  const std::size_t panel_stride = (kc / kQs8KR) * sizeof(Qs8PanelRow);
  const std::int8_t* w0 = w;
  const std::int8_t* w1 = nc > 1 * kQs8NR ? w0 + panel_stride : w0;
  const std::int8_t* w2 = nc > 2 * kQs8NR ? w1 + panel_stride : w1;
  const std::int8_t* w3 = nc > 3 * kQs8NR ? w2 + panel_stride : w2;
  v128_t vacc0 = wasm_i32x4_const_splat(0);
  v128_t vacc1 = vacc0;
  v128_t vacc2 = vacc0;
  v128_t vacc3 = vacc0;
  v128_t vacc4 = vacc0;
  v128_t vacc5 = vacc0;
  v128_t vacc6 = vacc0;
  v128_t vacc7 = vacc0;

  for (std::size_t k = kc; k != 0; k -= kQs8KR) {
    const v128_t va = wasm_v128_load32_splat(a);
    a += kQs8KR;
    vacc0 = wasm_i32x4_add(vacc0, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w0)));
    vacc1 = wasm_i32x4_add(vacc1, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w0 + 8)));
    vacc2 = wasm_i32x4_add(vacc2, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w1)));
    vacc3 = wasm_i32x4_add(vacc3, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w1 + 8)));
    vacc4 = wasm_i32x4_add(vacc4, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w2)));
    vacc5 = wasm_i32x4_add(vacc5, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w2 + 8)));
    vacc6 = wasm_i32x4_add(vacc6, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w3)));
    vacc7 = wasm_i32x4_add(vacc7, wasm_i32x4_dot_i16x8(va, wasm_i16x8_load8x8(w3 + 8)));
    w0 += sizeof(Qs8PanelRow);
    w1 += sizeof(Qs8PanelRow);
    w2 += sizeof(Qs8PanelRow);
    w3 += sizeof(Qs8PanelRow);
  }

  const v128_t out[8] = {vacc0, vacc1, vacc2, vacc3, vacc4, vacc5, vacc6, vacc7};
  std::size_t v = 0;
  for (; nc >= 4; nc -= 4, ++v, c += 4) wasm_v128_store(c, out[v]);
  if (nc != 0) {
    v128_t last = out[v];
    if (nc & 2) {
      wasm_v128_store64_lane(c, last, 0);
      last = wasm_i64x2_shuffle(last, last, 1, 1);
      c += 2;
    }
    if (nc & 1) wasm_v128_store32_lane(c, last, 0);
  }
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
