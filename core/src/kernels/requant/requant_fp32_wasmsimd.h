// requant_fp32_wasmsimd.h (internal) — eq. K6 and K9 on four lanes, WebAssembly SIMD128.
//
// The rounding uses the "magic bias" 1.5 * 2^23: for |f| < 2^22, the float sum
// f + 12582912.0f is rounded by the add to an integer (ties to even, the
// default IEEE mode) and that integer sits in the low mantissa bits, so
// bits(f + 12582912.0f) - 0x4B400000 = round_half_even(f). Clamping first
// keeps |f| <= 255 and adds the zero point in the same subtraction.
#pragma once

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include <cstdint>

#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels::detail {

struct RequantFp32Constants {
  v128_t row_sum;
  v128_t lo, hi;           // clamp bounds minus the zero point, as floats
  v128_t magic_bias;       // 12582912.0f
  v128_t magic_less_zero;  // 0x4B400000 - zero_point, as int32

  RequantFp32Constants(const Q8RowCorrection& row, const Q8OutputParams& p)
      : row_sum(wasm_i32x4_splat(row.row_sum)),
        lo(wasm_f32x4_splat(static_cast<float>(p.min - p.zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(p.max - p.zero_point))),
        magic_bias(wasm_f32x4_const_splat(12582912.0f)),
        magic_less_zero(wasm_i32x4_splat(INT32_C(0x4B400000) - p.zero_point)) {}
};

/// Four outputs of eq. K9 as int32 (already clamped to [min, max]).
inline v128_t requantize_fp32_x4(const std::int32_t* acc, const Q8RowCorrection& row, const float* scale,
                                 const RequantFp32Constants& k) {
  v128_t v = wasm_i32x4_add(wasm_v128_load(acc), wasm_v128_load(row.col_offset));
  v = wasm_i32x4_sub(v, wasm_i32x4_mul(wasm_v128_load(row.b_zero_point), k.row_sum));  // eq. K6, modulo 2^32
  v128_t f = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(v), wasm_v128_load(scale));
  f = wasm_f32x4_pmin(wasm_f32x4_pmax(f, k.lo), k.hi);
  f = wasm_f32x4_add(f, k.magic_bias);
  return wasm_i32x4_sub(f, k.magic_less_zero);
}

}  // namespace quantlab::kernels::detail

#endif  // __wasm_simd128__
