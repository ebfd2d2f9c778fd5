// Naive references for the kernel tests: triple loops over plain arrays, in
// double (fp32 GEMM) or int64 (int8 GEMM), written from core/docs/kernels.md's
// equations without looking at the kernels. Deliberately slow and simple, as
// ruy's reference path: "a very simple standalone implementation to check against".
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace quantlab::kernels::test {

/// eq. K2 in double: bias[n] + sum_k a[m][k] * b[k][n], and the sum of
/// |terms| that bounds its fp32 rounding error.
struct F32Reference {
  std::vector<double> value;
  std::vector<double> magnitude;  // |bias| + sum |a*b|
};

inline F32Reference reference_gemm_f32(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_stride,
                                       const float* b, std::size_t b_stride, const float* bias) {
  F32Reference r;
  r.value.assign(m * n, 0.0);
  r.magnitude.assign(m * n, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double acc = bias != nullptr ? bias[j] : 0.0;
      double mag = std::fabs(acc);
      for (std::size_t kk = 0; kk < k; ++kk) {
        const double t = static_cast<double>(a[i * a_stride + kk]) * static_cast<double>(b[kk * b_stride + j]);
        acc += t;
        mag += std::fabs(t);
      }
      r.value[i * n + j] = acc;
      r.magnitude[i * n + j] = mag;
    }
  }
  return r;
}

/// Error bound of a recursive fp32 sum of k products plus a bias: each of the
/// k multiplies and k additions rounds once (relative error <= 2^-24), so
/// |fp32 - exact| <= (2k + 1) * 2^-24 * (|bias| + sum |a*b|) (Higham, "Accuracy
/// and Stability of Numerical Algorithms", eq. K3.4, to first order).
inline double f32_gemm_error_bound(std::size_t k, double magnitude) {
  constexpr double kUnitRoundoff = 1.0 / 16777216.0;  // 2^-24
  return (2.0 * static_cast<double>(k) + 1.0) * kUnitRoundoff * magnitude + std::numeric_limits<float>::denorm_min();
}

/// eq. K3 exactly, in int64: sum_k (a - za) * (b - zb[n]) + bias[n].
template <class TA>
std::vector<std::int64_t> reference_gemm_q8(std::size_t m, std::size_t n, std::size_t k, const TA* a, std::size_t a_stride,
                                            std::int32_t a_zero_point, const std::int8_t* b, std::size_t b_stride,
                                            const std::vector<std::int32_t>& b_zero_point, const std::vector<std::int32_t>& bias) {
  std::vector<std::int64_t> c(m * n);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::int64_t zb = b_zero_point.size() == 1 ? b_zero_point[0] : b_zero_point[j];
      std::int64_t acc = bias.empty() ? 0 : bias[j];
      for (std::size_t kk = 0; kk < k; ++kk) {
        acc += (static_cast<std::int64_t>(a[i * a_stride + kk]) - a_zero_point) * (static_cast<std::int64_t>(b[kk * b_stride + j]) - zb);
      }
      c[i * n + j] = acc;
    }
  }
  return c;
}

/// eq. K9 written out independently: the fp32 product of the int32 sum and the
/// scale, rounded half to even, plus the zero point, clamped.
inline std::int32_t reference_requantize(std::int64_t acc, float scale, std::int32_t zero_point, std::int32_t qmin,
                                         std::int32_t qmax) {
  const float product = static_cast<float>(static_cast<std::int32_t>(acc)) * scale;
  const double rounded = std::nearbyint(static_cast<double>(product));  // ties to even
  double q = rounded + zero_point;
  if (q < qmin) q = qmin;
  if (q > qmax) q = qmax;
  return static_cast<std::int32_t>(q);
}

}  // namespace quantlab::kernels::test
