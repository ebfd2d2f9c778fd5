// f32_gemm_4x8__wasmsimd — fp32 GEMM tile of 4 rows × 8 columns, WebAssembly SIMD128.
//
// Per k: two f32x4 loads of the packed panel (8 columns), one load32_splat of
// A per row, 8 multiplies and 8 adds into 8 accumulators. 8 accumulators + 2
// B vectors + 1 splat fit the 15 vector registers V8 allocates on x86-64, so
// nothing spills. One k per iteration: unrolling by 2 or 4 measured 10-20%
// slower under V8 (kernels.md, section 3).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cassert>

#include "quantlab/kernels/microkernels.h"
#include "../store_tile_4x8__wasmsimd.h"

namespace quantlab::kernels {

void f32_gemm_4x8__wasmsimd(std::size_t mr, std::size_t nc, std::size_t kc, const float* a,
                            std::size_t a_stride, const float* w, float* c, std::size_t c_stride,
                            const F32MinMax& params) noexcept {
  assert(mr >= 1 && mr <= 4);
  assert(nc >= 1 && nc <= kF32NR);
  assert(kc >= 1);
  // Rows past mr alias the last valid row: computed, never stored apart.
  const float* a0 = a;
  float* c0 = c;
  const float* a1 = mr > 1 ? a0 + a_stride : a0;
  float* c1 = mr > 1 ? c0 + c_stride : c0;
  const float* a2 = mr > 2 ? a1 + a_stride : a1;
  float* c2 = mr > 2 ? c1 + c_stride : c1;
  const float* a3 = mr > 3 ? a2 + a_stride : a2;
  float* c3 = mr > 3 ? c2 + c_stride : c2;

  v128_t vacc0x0123 = wasm_v128_load(w);
  v128_t vacc0x4567 = wasm_v128_load(w + 4);
  v128_t vacc1x0123 = vacc0x0123;
  v128_t vacc1x4567 = vacc0x4567;
  v128_t vacc2x0123 = vacc0x0123;
  v128_t vacc2x4567 = vacc0x4567;
  v128_t vacc3x0123 = vacc0x0123;
  v128_t vacc3x4567 = vacc0x4567;
  w += kF32NR;

  std::size_t k = kc;
  for (; k != 0; --k) {
    const v128_t vb0123 = wasm_v128_load(w);
    const v128_t vb4567 = wasm_v128_load(w + 4);
    v128_t va = wasm_v128_load32_splat(a0);
    vacc0x0123 = wasm_f32x4_add(vacc0x0123, wasm_f32x4_mul(va, vb0123));
    vacc0x4567 = wasm_f32x4_add(vacc0x4567, wasm_f32x4_mul(va, vb4567));
    va = wasm_v128_load32_splat(a1);
    vacc1x0123 = wasm_f32x4_add(vacc1x0123, wasm_f32x4_mul(va, vb0123));
    vacc1x4567 = wasm_f32x4_add(vacc1x4567, wasm_f32x4_mul(va, vb4567));
    va = wasm_v128_load32_splat(a2);
    vacc2x0123 = wasm_f32x4_add(vacc2x0123, wasm_f32x4_mul(va, vb0123));
    vacc2x4567 = wasm_f32x4_add(vacc2x4567, wasm_f32x4_mul(va, vb4567));
    va = wasm_v128_load32_splat(a3);
    vacc3x0123 = wasm_f32x4_add(vacc3x0123, wasm_f32x4_mul(va, vb0123));
    vacc3x4567 = wasm_f32x4_add(vacc3x4567, wasm_f32x4_mul(va, vb4567));
    a0 += 1;
    a1 += 1;
    a2 += 1;
    a3 += 1;
    w += kF32NR;
  }

  // pmax(v, min) = v < min ? min : v and pmin(v, max) = max < v ? max : v:
  // NaN passes through, as in the scalar twin.
  const v128_t vmin = wasm_f32x4_splat(params.min);
  const v128_t vmax = wasm_f32x4_splat(params.max);
  vacc0x0123 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc0x0123, vmin), vmax);
  vacc0x4567 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc0x4567, vmin), vmax);
  vacc1x0123 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc1x0123, vmin), vmax);
  vacc1x4567 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc1x4567, vmin), vmax);
  vacc2x0123 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc2x0123, vmin), vmax);
  vacc2x4567 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc2x4567, vmin), vmax);
  vacc3x0123 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc3x0123, vmin), vmax);
  vacc3x4567 = wasm_f32x4_pmin(wasm_f32x4_pmax(vacc3x4567, vmin), vmax);

  detail::store_tile_4x8__wasmsimd(nc, c0, c1, c2, c3, vacc0x0123, vacc0x4567, vacc1x0123, vacc1x4567, vacc2x0123,
                                   vacc2x4567, vacc3x0123, vacc3x4567);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
