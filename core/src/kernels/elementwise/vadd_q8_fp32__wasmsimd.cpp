// vadd_{qu8,qs8}_fp32__wasmsimd — quantized addition of two code arrays
// (microkernels.h), WebAssembly SIMD128: 16 codes per step, widened to four
// i32x4 per operand, the same float operations as the scalar twin in the same
// order (f32x4 mul, add, div, pmax/pmin clamp), rounded half to even with
// the magic bias 1.5·2^23 (requant_fp32_wasmsimd.h: exact for the clamped
// |f| <= 255, and cheaper under V8 than f32x4.nearest + i32x4.trunc_sat),
// then two saturating narrows (exact: already clamped). The last n % 16
// codes take the scalar twin.
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <type_traits>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {
namespace {

/// The 16 codes of v as four i32x4 (lanes 0-3, 4-7, 8-11, 12-15).
template <class T>
inline void widen(v128_t v, v128_t out[4]) {
  v128_t lo, hi;
  if constexpr (std::is_signed_v<T>) {
    lo = wasm_i16x8_extend_low_i8x16(v);
    hi = wasm_i16x8_extend_high_i8x16(v);
    out[0] = wasm_i32x4_extend_low_i16x8(lo);
    out[1] = wasm_i32x4_extend_high_i16x8(lo);
    out[2] = wasm_i32x4_extend_low_i16x8(hi);
    out[3] = wasm_i32x4_extend_high_i16x8(hi);
  } else {
    lo = wasm_u16x8_extend_low_u8x16(v);
    hi = wasm_u16x8_extend_high_u8x16(v);
    out[0] = wasm_u32x4_extend_low_u16x8(lo);
    out[1] = wasm_u32x4_extend_high_u16x8(lo);
    out[2] = wasm_u32x4_extend_low_u16x8(hi);
    out[3] = wasm_u32x4_extend_high_u16x8(hi);
  }
}

template <class T>
void vadd(std::size_t n, const T* a, const T* b, const Q8AddParams& p, T* out, VAddQ8Ukernel<T> scalar) noexcept {
  const v128_t za = wasm_i32x4_splat(p.a_zero_point), zb = wasm_i32x4_splat(p.b_zero_point);
  const v128_t magic = wasm_f32x4_const_splat(12582912.0f);
  const v128_t magic_less_zy = wasm_i32x4_splat(INT32_C(0x4B400000) - p.y_zero_point);
  const v128_t sa = wasm_f32x4_splat(p.a_scale), sb = wasm_f32x4_splat(p.b_scale), sy = wasm_f32x4_splat(p.y_scale);
  const v128_t lo = wasm_f32x4_splat(p.lo), hi = wasm_f32x4_splat(p.hi);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t va[4], vb[4], q[4];
    widen<T>(wasm_v128_load(a + i), va);
    widen<T>(wasm_v128_load(b + i), vb);
    for (int j = 0; j < 4; ++j) {
      const v128_t fa = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_sub(va[j], za)), sa);
      const v128_t fb = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_sub(vb[j], zb)), sb);
      v128_t f = wasm_f32x4_div(wasm_f32x4_add(fa, fb), sy);
      f = wasm_f32x4_pmin(wasm_f32x4_pmax(f, lo), hi);  // f < lo ? lo : f, then hi < f ? hi : f
      q[j] = wasm_i32x4_sub(wasm_f32x4_add(f, magic), magic_less_zy);  // round_half_even(f) + zy
    }
    const v128_t q01 = wasm_i16x8_narrow_i32x4(q[0], q[1]);
    const v128_t q23 = wasm_i16x8_narrow_i32x4(q[2], q[3]);
    if constexpr (std::is_signed_v<T>) wasm_v128_store(out + i, wasm_i8x16_narrow_i16x8(q01, q23));
    else wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(q01, q23));
  }
  if (i < n) scalar(n - i, a + i, b + i, p, out + i);
}

}  // namespace

void vadd_qu8_fp32__wasmsimd(std::size_t n, const std::uint8_t* a, const std::uint8_t* b, const Q8AddParams& params,
                             std::uint8_t* out) noexcept {
  vadd(n, a, b, params, out, vadd_qu8_fp32__scalar);
}

void vadd_qs8_fp32__wasmsimd(std::size_t n, const std::int8_t* a, const std::int8_t* b, const Q8AddParams& params,
                             std::int8_t* out) noexcept {
  vadd(n, a, b, params, out, vadd_qs8_fp32__scalar);
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
