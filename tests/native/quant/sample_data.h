// quant/sample_data.h — deterministic test data from named distributions.
//
// Only the engine (std::mt19937_64) is specified by the C++ standard; the
// <random> distributions differ between libstdc++ (native) and libc++ (wasm).
// So the samplers here are written out, and the same seed gives the same
// numbers in every build (up to last-bit differences of log/cos/sqrt between
// C libraries, which no test depends on).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>
#include <xtensor/xarray.hpp>

namespace quantlab::test {

/// @brief A seeded source of samples, identical on every platform.
class Sampler {
 public:
  explicit Sampler(std::uint64_t seed) : rng_(seed) {}

  /// Uniform in (0, 1): 53 random bits, never 0.
  double uniform01() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  /// Standard normal (Box–Muller, one value per call).
  double normal() {
    constexpr double kTwoPi = 6.283185307179586;
    return std::sqrt(-2.0 * std::log(uniform01())) * std::cos(kTwoPi * uniform01());
  }
  /// Laplace with scale b (inverse CDF).
  double laplace(double b) {
    const double u = uniform01() - 0.5;
    return -b * std::copysign(1.0, u) * std::log(1.0 - 2.0 * std::fabs(u));
  }
  /// Student's t with an integer number of degrees of freedom.
  double student_t(int dof) {
    double chi2 = 0;
    for (int i = 0; i < dof; ++i) {
      const double z = normal();
      chi2 += z * z;
    }
    return normal() / std::sqrt(chi2 / dof);
  }

 private:
  std::mt19937_64 rng_;
};

/// @brief `n` float32 samples of a distribution, as a 1-D array.
template <typename Draw>
xt::xarray<float> sample(std::size_t n, Draw&& draw) {
  xt::xarray<float> x = xt::xarray<float>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) x.data()[i] = static_cast<float>(draw());
  return x;
}

}  // namespace quantlab::test
