// requant_qs32_qu8_fp32__scalar — int32 accumulators to uint8 (eq. K6, K9), scalar twin of
// requant_qs32_qu8_fp32__wasmsimd. Naive on purpose: one value at a time.
#include "quantlab/kernels/microkernels.h"
#include "requant_math.h"

namespace quantlab::kernels {

void requant_qs32_qu8_fp32__scalar(std::size_t n, const std::int32_t* acc, const Q8RowCorrection& row,
                                   const float* scale, const Q8OutputParams& out_params, std::uint8_t* out) noexcept {
  const float lo = static_cast<float>(out_params.min - out_params.zero_point);
  const float hi = static_cast<float>(out_params.max - out_params.zero_point);
  for (std::size_t j = 0; j < n; ++j) {
    const std::int32_t v = detail::corrected_accumulator(acc[j], row.col_offset[j], row.b_zero_point[j], row.row_sum);
    out[j] = static_cast<std::uint8_t>(detail::requantize_fp32(v, scale[j], lo, hi, out_params.zero_point));
  }
}

}  // namespace quantlab::kernels
