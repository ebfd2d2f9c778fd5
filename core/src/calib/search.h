// A bounded 1-D minimiser for the clipping searches (C4). Private to core/src.
#pragma once

#include <algorithm>

namespace quantlab::calib {

/// Where a search found its smallest value.
struct Minimum {
  double at;
  double value;
};

/// Steps of the coarse grid, and of each of kRefinements finer grids between
/// the current best point's neighbours: the result is within
/// (b − a) / (kCoarseSteps · (kFineSteps / 2)^kRefinements) of the best point on
/// the finest grid, for kCoarseSteps + 1 + kRefinements · (kFineSteps − 1)
/// evaluations (71).
constexpr int kCoarseSteps = 48;
constexpr int kFineSteps = 12;
constexpr int kRefinements = 2;

/// Minimises f over [a, b] by an exhaustive grid search (both ends included;
/// no unimodality assumed), then finer grids around the best point. Ties keep
/// the larger argument (less clipping), which is evaluated first.
template <typename F>
Minimum minimise_on_interval(double a, double b, F&& f) {
  Minimum best{b, f(b)};
  for (int k = kCoarseSteps - 1; k >= 0; --k) {
    const double t = a + (b - a) * k / kCoarseSteps;
    const double v = f(t);
    if (v < best.value) best = {t, v};
  }
  double step = (b - a) / kCoarseSteps;
  for (int r = 0; r < kRefinements; ++r) {
    const double lo = std::max(a, best.at - step);
    const double hi = std::min(b, best.at + step);
    for (int k = kFineSteps - 1; k >= 1; --k) {
      const double t = lo + (hi - lo) * k / kFineSteps;
      const double v = f(t);
      if (v < best.value) best = {t, v};
    }
    step = (hi - lo) / kFineSteps;
  }
  return best;
}

}  // namespace quantlab::calib
