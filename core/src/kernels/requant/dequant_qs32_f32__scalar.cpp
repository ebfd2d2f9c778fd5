// dequant_qs32_f32__scalar — int32 accumulators to fp32 (eq. K6, K10), scalar twin
// of dequant_qs32_f32__wasmsimd. Naive on purpose: one value at a time.
#include "quantlab/kernels/microkernels.h"
#include "requant_math.h"

namespace quantlab::kernels {

void dequant_qs32_f32__scalar(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                              const float* scale, const float* bias, const F32MinMax& params, float* out) noexcept {
  for (std::size_t j = 0; j < n; ++j) {
    const std::int32_t v = detail::corrected_accumulator(acc[j], row.col_offset[j], row.b_zero_point[j], row.row_sum);
    out[j] = detail::dequantize_fp32(v, scale[j], bias[j], params.min, params.max);
  }
}

}  // namespace quantlab::kernels
