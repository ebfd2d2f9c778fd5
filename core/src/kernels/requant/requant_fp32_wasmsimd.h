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
#include <type_traits>

#include "quantlab/kernels/microkernels.h"
#include "requant_math.h"

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

/// Four outputs of eq. K9 as int32 (already clamped to [min, max]) from four
/// final accumulators `v` and their scales (used by the depthwise kernels,
/// whose accumulators need no eq. K6 correction; `k.row_sum` is unused).
inline v128_t requantize_fp32_x4(v128_t v, v128_t scale, const RequantFp32Constants& k) {
  v128_t f = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(v), scale);
  f = wasm_f32x4_pmin(wasm_f32x4_pmax(f, k.lo), k.hi);
  f = wasm_f32x4_add(f, k.magic_bias);
  return wasm_i32x4_sub(f, k.magic_less_zero);
}

/// Four outputs of eq. K9 as int32 (already clamped to [min, max]).
inline v128_t requantize_fp32_x4(const std::int32_t* acc, const Q8RowCorrection& row, const float* scale,
                                 const RequantFp32Constants& k) {
  v128_t v = wasm_i32x4_add(wasm_v128_load(acc), wasm_v128_load(row.col_offset));
  v = wasm_i32x4_sub(v, wasm_i32x4_mul(wasm_v128_load(row.b_zero_point), k.row_sum));  // eq. K6, modulo 2^32
  return requantize_fp32_x4(v, wasm_v128_load(scale), k);
}

// The 8 int16 lanes of q16 narrowed with saturation to int8 or uint8.
template <typename T>
inline v128_t narrow_i16x8(v128_t q16) {
  if constexpr (std::is_signed_v<T>) return wasm_i8x16_narrow_i16x8(q16, q16);
  else return wasm_u8x16_narrow_i16x8(q16, q16);
}

// The body of requant_qs32_qs8_fp32__wasmsimd and requant_qs32_qu8_fp32__wasmsimd.
//
// Eight values per iteration: corrections, conversion, scale, clamp and
// magic-bias rounding on two i32x4, then two saturating narrows (exact: the
// values are already within [min, max]) and one 8-byte store. The last n % 4
// values go through the scalar formula, which gives the same bits
// (requant_math.h), so nothing is read or written past n.
template <typename T>
void requant_qs32_q8_fp32_wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const Q8OutputParams& out_params, T* out) noexcept {
  const detail::RequantFp32Constants k(row, out_params);
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const Q8RowCorrection r{row.col_offset + j, row.b_zero_point + j, row.row_sum};
    const v128_t q0123 = detail::requantize_fp32_x4(acc + j, r, scale + j, k);
    const Q8RowCorrection r4{row.col_offset + j + 4, row.b_zero_point + j + 4, row.row_sum};
    const v128_t q4567 = detail::requantize_fp32_x4(acc + j + 4, r4, scale + j + 4, k);
    const v128_t q16 = wasm_i16x8_narrow_i32x4(q0123, q4567);
    wasm_v128_store64_lane(out + j, narrow_i16x8<T>(q16), 0);
  }
  if (j + 4 <= n) {
    const Q8RowCorrection r{row.col_offset + j, row.b_zero_point + j, row.row_sum};
    const v128_t q0123 = detail::requantize_fp32_x4(acc + j, r, scale + j, k);
    const v128_t q16 = wasm_i16x8_narrow_i32x4(q0123, q0123);
    wasm_v128_store32_lane(out + j, narrow_i16x8<T>(q16), 0);
    j += 4;
  }
  const float lo = static_cast<float>(out_params.min - out_params.zero_point);
  const float hi = static_cast<float>(out_params.max - out_params.zero_point);
  for (; j < n; ++j) {
    const std::int32_t v = detail::corrected_accumulator(acc[j], row.col_offset[j], row.b_zero_point[j], row.row_sum);
    out[j] = static_cast<T>(detail::requantize_fp32(v, scale[j], lo, hi, out_params.zero_point));
  }
}

}  // namespace quantlab::kernels::detail

#endif  // __wasm_simd128__
