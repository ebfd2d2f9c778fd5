// requant_qs32_qs8_fp32__wasmsimd — int32 accumulators to int8 (eq. K6, K9), WebAssembly SIMD128.
//
// Eight values per iteration: corrections, conversion, scale, clamp and
// magic-bias rounding on two i32x4 (requant_fp32_wasmsimd.h), then two
// saturating narrows (exact: the values are already within [min, max]) and
// one 8-byte store. The last n % 4 values go through the scalar formula,
// which gives the same bits (requant_math.h), so nothing is read or written
// past n.
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "quantlab/kernels/microkernels.h"
#include "requant_fp32_wasmsimd.h"
#include "requant_math.h"

namespace quantlab::kernels {

void requant_qs32_qs8_fp32__wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                     const float* scale, const Q8OutputParams& out_params, std::int8_t* out) noexcept {
  const detail::RequantFp32Constants k(row, out_params);
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const Q8RowCorrection r{row.col_offset + j, row.b_zero_point + j, row.row_sum};
    const v128_t q0123 = detail::requantize_fp32_x4(acc + j, r, scale + j, k);
    const Q8RowCorrection r4{row.col_offset + j + 4, row.b_zero_point + j + 4, row.row_sum};
    const v128_t q4567 = detail::requantize_fp32_x4(acc + j + 4, r4, scale + j + 4, k);
    const v128_t q16 = wasm_i16x8_narrow_i32x4(q0123, q4567);
    wasm_v128_store64_lane(out + j, wasm_i8x16_narrow_i16x8(q16, q16), 0);
  }
  if (j + 4 <= n) {
    const Q8RowCorrection r{row.col_offset + j, row.b_zero_point + j, row.row_sum};
    const v128_t q0123 = detail::requantize_fp32_x4(acc + j, r, scale + j, k);
    const v128_t q16 = wasm_i16x8_narrow_i32x4(q0123, q0123);
    wasm_v128_store32_lane(out + j, wasm_i8x16_narrow_i16x8(q16, q16), 0);
    j += 4;
  }
  const float lo = static_cast<float>(out_params.min - out_params.zero_point);
  const float hi = static_cast<float>(out_params.max - out_params.zero_point);
  for (; j < n; ++j) {
    const std::int32_t v = detail::corrected_accumulator(acc[j], row.col_offset[j], row.b_zero_point[j], row.row_sum);
    out[j] = static_cast<std::int8_t>(detail::requantize_fp32(v, scale[j], lo, hi, out_params.zero_point));
  }
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
