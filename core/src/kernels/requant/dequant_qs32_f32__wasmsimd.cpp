// dequant_qs32_f32__wasmsimd — int32 accumulators to fp32 (eq. K6, K10), WebAssembly SIMD128.
// Four values per iteration; the last n % 4 through the scalar formula (same bits).
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "quantlab/kernels/microkernels.h"
#include "requant_math.h"

namespace quantlab::kernels {

void dequant_qs32_f32__wasmsimd(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                const float* scale, const float* bias, const F32MinMax& params, float* out) noexcept {
  const v128_t vrow_sum = wasm_i32x4_splat(row.row_sum);
  const v128_t vmin = wasm_f32x4_splat(params.min);
  const v128_t vmax = wasm_f32x4_splat(params.max);
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    v128_t v = wasm_i32x4_add(wasm_v128_load(acc + j), wasm_v128_load(row.col_offset + j));
    v = wasm_i32x4_sub(v, wasm_i32x4_mul(wasm_v128_load(row.b_zero_point + j), vrow_sum));
    v128_t f = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(v), wasm_v128_load(scale + j));
    f = wasm_f32x4_add(f, wasm_v128_load(bias + j));
    wasm_v128_store(out + j, wasm_f32x4_pmin(wasm_f32x4_pmax(f, vmin), vmax));
  }
  for (; j < n; ++j) {
    const std::int32_t v = detail::corrected_accumulator(acc[j], row.col_offset[j], row.b_zero_point[j], row.row_sum);
    out[j] = detail::dequantize_fp32(v, scale[j], bias[j], params.min, params.max);
  }
}

}  // namespace quantlab::kernels

#endif  // __wasm_simd128__
