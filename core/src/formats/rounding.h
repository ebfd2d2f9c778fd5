// Rounding helpers shared by the format codecs (private to core/src).
#pragma once

#include <cmath>

namespace quantlab::formats {

/// Rounds to the nearest integer, ties to even, independent of the FPU's
/// current rounding mode (F6).
inline double round_half_even(double x) {
  const double a = std::fabs(x);
  double r = std::floor(a);
  const double frac = a - r;  // exact: a and floor(a) share the binade
  if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) != 0.0)) r += 1.0;
  return std::copysign(r, x);
}

}  // namespace quantlab::formats
