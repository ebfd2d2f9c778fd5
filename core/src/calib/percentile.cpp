// Percentile clipping on a histogram (C2).
#include <algorithm>
#include <cmath>
#include <string>

#include "quantlab/calib/clipping.h"
#include "quantlab/error.h"

namespace quantlab::calib {

double quantile(const Histogram& h, double q) {
  if (h.empty()) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  const double target = q * static_cast<double>(h.total());
  const auto& counts = h.counts();
  double below = 0;  // mass in the bins before bin i
  for (int i = 0; i < h.bins(); ++i) {
    const double c = static_cast<double>(counts[static_cast<std::size_t>(i)]);
    if (c == 0) continue;
    if (below + c >= target) {
      // (C2) values spread uniformly over the bin
      const double v = h.edge(i) + (target - below) / c * h.width();
      return std::clamp(v, static_cast<double>(h.min()), static_cast<double>(h.max()));
    }
    below += c;
  }
  return h.max();
}

ClipRange percentile_range(const Histogram& h, double percentile) {
  if (!(percentile >= 50.0 && percentile <= 100.0)) {
    throw InvalidArgument("percentile must be in 50..100, got " + std::to_string(percentile));
  }
  const double p = percentile / 100.0;
  return {static_cast<float>(quantile(h, 1.0 - p)), static_cast<float>(quantile(h, p))};
}

}  // namespace quantlab::calib
