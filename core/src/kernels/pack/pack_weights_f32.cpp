// pack_weights_f32 — fp32 weights and bias into panels of kF32NR columns.
#include <algorithm>
#include <string>

#include "../size_check.h"
#include "quantlab/error.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {

void PackedWeightsF32::check() const {
  if (k == 0 || n == 0) throw InvalidArgument("packed fp32 weights are empty");
  if (panels != detail::divide_round_up(n, kF32NR) ||
      data.size() != detail::checked_mul(panels, panel_stride(), "packed fp32 weights")) {
    throw InvalidArgument("packed fp32 weights: data size does not match K x N");
  }
}

PackedWeightsF32 pack_weights_f32(std::size_t k, std::size_t n, const float* b, std::size_t stride,
                                  const float* bias, WeightLayout layout) {
  if (k == 0 || n == 0) throw InvalidArgument("weights must have K >= 1 and N >= 1");
  if (b == nullptr) throw InvalidArgument("weights pointer is null");
  const std::size_t min_stride = layout == WeightLayout::k_by_n ? n : k;
  if (stride < min_stride) {
    throw InvalidArgument("weight stride " + std::to_string(stride) + " is smaller than the row length " +
                          std::to_string(min_stride));
  }
  detail::check_elements(detail::checked_mul(k, n, "weights"), "weights");
  PackedWeightsF32 w;
  w.k = k;
  w.n = n;
  w.panels = detail::divide_round_up(n, kF32NR);
  w.data.assign(detail::checked_mul(w.panels, w.panel_stride(), "packed weights"), 0.0f);
  for (std::size_t p = 0; p < w.panels; ++p) {
    float* dst = w.data.data() + p * w.panel_stride();
    const std::size_t n0 = p * kF32NR;
    const std::size_t nc = std::min(kF32NR, n - n0);
    for (std::size_t j = 0; j < nc; ++j) dst[j] = bias != nullptr ? bias[n0 + j] : 0.0f;
    for (std::size_t kk = 0; kk < k; ++kk) {
      float* row = dst + kF32NR * (kk + 1);
      for (std::size_t j = 0; j < nc; ++j) {
        row[j] = layout == WeightLayout::k_by_n ? b[kk * stride + n0 + j] : b[(n0 + j) * stride + kk];
      }
    }
  }
  return w;
}

}  // namespace quantlab::kernels
