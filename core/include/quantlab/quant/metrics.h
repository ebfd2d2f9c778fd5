// quantlab/quant/metrics.h — how far x̂ is from x (Q12–Q15).
#pragma once

#include <cstdint>
#include <vector>
#include <xtensor/xarray.hpp>

namespace quantlab::quant {

/// @brief Error of a reconstruction x̂ against the reference x, in double precision.
struct ErrorStats {
  double mse;            ///< mean of (x̂ − x)² (Q12)
  double rmse;           ///< sqrt(mse)
  double max_abs_error;  ///< max |x̂ − x|
  double sqnr_db;        ///< 10 log10(Σx² / Σ(x̂ − x)²) (Q13); +inf when x̂ = x, −inf when x = 0 ≠ x̂
  double cosine;         ///< <x, x̂> / (|x| |x̂|) (Q14); 1 when both are 0, 0 when only one is
  std::vector<double> hist_edges;          ///< bins + 1 edges of the error histogram, −m..m (Q15)
  std::vector<std::uint64_t> hist_counts;  ///< errors x̂ − x per bin (the last bin includes m)
};

/// @brief Default number of error-histogram bins.
constexpr int kDefaultErrorBins = 64;

/// @brief Compares x̂ with x element by element. Shapes must be equal, there must
/// be at least one element, every value must be finite, and 1 <= bins <= 65536;
/// else InvalidArgument. No field is ever NaN (Q12–Q15 define the zero cases).
ErrorStats error_stats(const xt::xarray<float>& x, const xt::xarray<float>& xhat, int bins = kDefaultErrorBins);

}  // namespace quantlab::quant
