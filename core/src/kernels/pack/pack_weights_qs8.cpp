// pack_weights_qs8 — int8 weights into panels of kQs8NR columns × kQs8KR k,
// with the column sums, zero points and bias the requantization needs (eq. K5, K6).
#include <algorithm>
#include <string>

#include "../size_check.h"
#include "quantlab/error.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {

void PackedWeightsQs8::check() const {
  if (k == 0 || n == 0) throw InvalidArgument("packed int8 weights are empty");
  const std::size_t columns = panels * kQs8NR;
  if (k > kMaxQ8K || k_padded != detail::round_up(k, kQs8KR) || panels != detail::divide_round_up(n, kQs8NR) ||
      data.size() != detail::checked_mul(panels, panel_stride(), "packed int8 weights") ||
      column_sums.size() != columns || zero_point.size() != columns || bias.size() != columns) {
    throw InvalidArgument("packed int8 weights: sizes do not match K x N");
  }
}

PackedWeightsQs8 pack_weights_qs8(std::size_t k, std::size_t n, const std::int8_t* b, std::size_t stride,
                                  const std::vector<std::int32_t>& zero_point,
                                  const std::vector<std::int32_t>& bias, WeightLayout layout) {
  if (k == 0 || n == 0) throw InvalidArgument("weights must have K >= 1 and N >= 1");
  if (k > kMaxQ8K) {
    throw InvalidArgument("K = " + std::to_string(k) + " exceeds " + std::to_string(kMaxQ8K) +
                          ", the largest depth whose int32 sums are exact");
  }
  if (b == nullptr) throw InvalidArgument("weights pointer is null");
  const std::size_t min_stride = layout == WeightLayout::k_by_n ? n : k;
  if (stride < min_stride) {
    throw InvalidArgument("weight stride " + std::to_string(stride) + " is smaller than the row length " +
                          std::to_string(min_stride));
  }
  detail::check_elements(detail::checked_mul(k, n, "weights"), "weights");
  if (zero_point.size() != 1 && zero_point.size() != n) {
    throw InvalidArgument("weight zero point needs 1 (per tensor) or N = " + std::to_string(n) +
                          " (per channel) values, got " + std::to_string(zero_point.size()));
  }
  for (std::int32_t z : zero_point) {
    if (z < -128 || z > 127) throw InvalidArgument("weight zero point " + std::to_string(z) + " is outside -128..127");
  }
  if (!bias.empty() && bias.size() != n) {
    throw InvalidArgument("bias needs N = " + std::to_string(n) + " values, got " + std::to_string(bias.size()));
  }

  PackedWeightsQs8 w;
  w.k = k;
  w.k_padded = detail::round_up(k, kQs8KR);
  w.n = n;
  w.panels = detail::divide_round_up(n, kQs8NR);
  const std::size_t columns = w.panels * kQs8NR;
  w.data.assign(detail::checked_mul(w.panels, w.panel_stride(), "packed weights"), 0);
  w.column_sums.assign(columns, 0);
  w.zero_point.assign(columns, 0);
  w.bias.assign(columns, 0);
  auto at = [&](std::size_t kk, std::size_t col) -> std::int8_t {
    return layout == WeightLayout::k_by_n ? b[kk * stride + col] : b[col * stride + kk];
  };
  for (std::size_t col = 0; col < n; ++col) {
    const std::size_t p = col / kQs8NR;
    const std::size_t j = col % kQs8NR;
    auto* rows = reinterpret_cast<Qs8PanelRow*>(w.data.data() + p * w.panel_stride());
    std::int32_t sum = 0;  // |sum| <= 128 * 32768 = 2^22
    for (std::size_t kk = 0; kk < k; ++kk) {
      const std::int8_t v = at(kk, col);
      rows[kk / kQs8KR].w[j][kk % kQs8KR] = v;
      sum += v;
    }
    w.column_sums[col] = sum;
    w.zero_point[col] = zero_point.size() == 1 ? zero_point[0] : zero_point[col];
    w.bias[col] = bias.empty() ? 0 : bias[col];
    w.has_zero_point = w.has_zero_point || w.zero_point[col] != 0;
  }
  return w;
}

}  // namespace quantlab::kernels
