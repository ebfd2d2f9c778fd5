#include "quantlab/quant/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "quantlab/error.h"
#include "quantlab/quant/scheme.h"

namespace quantlab::quant {
namespace {

constexpr int kMaxErrorBins = 1 << 16;

template <typename S>
Shape shape_of(const S& s) {
  return Shape(s.begin(), s.end());
}

}  // namespace

ErrorStats error_stats(const xt::xarray<float>& x, const xt::xarray<float>& xhat, int bins) {
  const Shape shape = shape_of(x.shape());
  if (shape != shape_of(xhat.shape())) {
    throw InvalidArgument("x has shape " + shape_to_string(shape) + " but the reconstruction has shape " +
                          shape_to_string(shape_of(xhat.shape())));
  }
  const std::size_t n = x.size();
  if (n == 0) throw InvalidArgument("error statistics need at least one element");
  if (bins < 1 || bins > kMaxErrorBins) {
    throw InvalidArgument("error histogram bins must be 1.." + std::to_string(kMaxErrorBins) + ", got " +
                          std::to_string(bins));
  }
  const float* a = x.data();
  const float* b = xhat.data();
  // Squares of float32 values cannot overflow or underflow to 0 in double
  // (|x| <= 3.4e38, the smallest nonzero |x| is 1.4e-45), so every sum below
  // is exact enough and finite for any realistic n.
  double sum_e2 = 0;
  double sum_x2 = 0;
  double sum_h2 = 0;
  double dot = 0;
  double max_abs = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) {
      throw InvalidArgument(std::string("error statistics need finite values; element ") + std::to_string(i) + " of " +
                            (std::isfinite(a[i]) ? "the reconstruction" : "x") + " is not");
    }
    const double xi = a[i];
    const double hi = b[i];
    const double e = hi - xi;  // exact in double
    sum_e2 += e * e;
    sum_x2 += xi * xi;
    sum_h2 += hi * hi;
    dot += xi * hi;
    max_abs = std::max(max_abs, std::fabs(e));
  }
  ErrorStats st;
  st.mse = sum_e2 / static_cast<double>(n);  // (Q12)
  st.rmse = std::sqrt(st.mse);
  st.max_abs_error = max_abs;
  // (Q13) SQNR: no error is +inf (also for x = x̂ = 0); error on a zero signal is −inf.
  if (sum_e2 == 0) {
    st.sqnr_db = std::numeric_limits<double>::infinity();
  } else if (sum_x2 == 0) {
    st.sqnr_db = -std::numeric_limits<double>::infinity();
  } else {
    st.sqnr_db = 10.0 * std::log10(sum_x2 / sum_e2);
  }
  // (Q14) cosine: two zero vectors point the same way (1); a zero and a nonzero one are orthogonal (0).
  if (sum_x2 == 0 && sum_h2 == 0) {
    st.cosine = 1.0;
  } else if (sum_x2 == 0 || sum_h2 == 0) {
    st.cosine = 0.0;
  } else {
    st.cosine = std::clamp(dot / (std::sqrt(sum_x2) * std::sqrt(sum_h2)), -1.0, 1.0);
  }
  // (Q15) error histogram over [−m, m], m = max |e| (1 when every error is 0).
  const double m = max_abs > 0 ? max_abs : 1.0;
  st.hist_edges.resize(static_cast<std::size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i) st.hist_edges[i] = -m + 2.0 * m * i / bins;
  st.hist_counts.assign(static_cast<std::size_t>(bins), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double e = static_cast<double>(b[i]) - static_cast<double>(a[i]);
    const double pos = (e + m) / (2.0 * m) * bins;
    const int bin = std::clamp(static_cast<int>(std::floor(pos)), 0, bins - 1);
    ++st.hist_counts[static_cast<std::size_t>(bin)];
  }
  return st;
}

}  // namespace quantlab::quant
