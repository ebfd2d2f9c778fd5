// error_stats: MSE, RMSE, max error, SQNR, cosine and the error histogram on
// hand-computed cases, the defined zero cases (Q12–Q16), and rejected input.
#include "quantlab/quant/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <xtensor/xarray.hpp>

#include "quantlab/error.h"

namespace quantlab::quant {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Sums of a handful of exact doubles: the only rounding is in log10 and sqrt.
constexpr double kTolerance = 1e-12;

TEST(QuantMetrics, hand_computed_case) {
  const xt::xarray<float> x = {1.0f, 2.0f, 3.0f, -4.0f};
  const xt::xarray<float> xhat = {1.0f, 2.5f, 2.0f, -4.0f};
  const ErrorStats st = error_stats(x, xhat, 4);
  EXPECT_NEAR(st.mse, (0.25 + 1.0) / 4, kTolerance);
  EXPECT_NEAR(st.rmse, std::sqrt(1.25 / 4), kTolerance);
  EXPECT_EQ(st.max_abs_error, 1.0);
  EXPECT_NEAR(st.sqnr_db, 10 * std::log10(30.0 / 1.25), kTolerance);
  const double dot = 1 + 5 + 6 + 16;
  EXPECT_NEAR(st.cosine, dot / (std::sqrt(30.0) * std::sqrt(1 + 6.25 + 4 + 16)), kTolerance);
  // Errors x̂ − x = {0, 0.5, −1, 0} over [−1, 1] in 4 bins of 0.5.
  EXPECT_EQ(st.hist_edges, (std::vector<double>{-1.0, -0.5, 0.0, 0.5, 1.0}));
  EXPECT_EQ(st.hist_counts, (std::vector<std::uint64_t>{1, 0, 2, 1}));
}

TEST(QuantMetrics, identical_arrays_have_infinite_sqnr_and_cosine_one) {
  const xt::xarray<float> x = {0.5f, -3.0f, 1e-30f};
  const ErrorStats st = error_stats(x, x);
  EXPECT_EQ(st.mse, 0.0);
  EXPECT_EQ(st.max_abs_error, 0.0);
  EXPECT_EQ(st.sqnr_db, kInf);
  EXPECT_NEAR(st.cosine, 1.0, kTolerance);
  EXPECT_EQ(std::accumulate(st.hist_counts.begin(), st.hist_counts.end(), std::uint64_t{0}), 3u);
  EXPECT_EQ(st.hist_edges.front(), -1.0);  // every error is 0: the histogram spans [−1, 1]
  EXPECT_EQ(st.hist_edges.back(), 1.0);
}

TEST(QuantMetrics, zero_signal_cases_are_defined_not_nan) {
  const xt::xarray<float> zero = {0.0f, 0.0f};
  const xt::xarray<float> some = {0.0f, 0.5f};
  const ErrorStats both_zero = error_stats(zero, zero);
  EXPECT_EQ(both_zero.sqnr_db, kInf);
  EXPECT_EQ(both_zero.cosine, 1.0);
  const ErrorStats zero_signal = error_stats(zero, some);
  EXPECT_EQ(zero_signal.sqnr_db, -kInf);
  EXPECT_EQ(zero_signal.cosine, 0.0);
  const ErrorStats zero_reconstruction = error_stats(some, zero);
  EXPECT_NEAR(zero_reconstruction.sqnr_db, 0.0, kTolerance);  // the error is the whole signal
  EXPECT_EQ(zero_reconstruction.cosine, 0.0);
}

TEST(QuantMetrics, opposite_vectors_have_cosine_minus_one) {
  const xt::xarray<float> x = {1.0f, -2.0f, 3.0f};
  const xt::xarray<float> y = {-1.0f, 2.0f, -3.0f};
  EXPECT_NEAR(error_stats(x, y).cosine, -1.0, kTolerance);
}

TEST(QuantMetrics, extreme_magnitudes_stay_finite) {
  const xt::xarray<float> x = {3e38f, -3e38f, 1e-45f, 1e-30f};
  const xt::xarray<float> xhat = {-3e38f, 3e38f, 0.0f, 0.0f};
  const ErrorStats st = error_stats(x, xhat);
  for (const double v : {st.mse, st.rmse, st.max_abs_error, st.sqnr_db, st.cosine}) EXPECT_TRUE(std::isfinite(v)) << v;
  EXPECT_EQ(st.max_abs_error, 2.0 * static_cast<double>(3e38f));  // beyond float32, exact in double
  const xt::xarray<float> tiny = {0x1p-149f, 0x1p-148f};          // the two smallest denormals
  const xt::xarray<float> tiny_hat = {0x1p-148f, 0x1p-148f};
  const ErrorStats t = error_stats(tiny, tiny_hat);
  EXPECT_GT(t.mse, 0.0);  // squares of denormals do not underflow in double
  EXPECT_TRUE(std::isfinite(t.sqnr_db));
}

TEST(QuantMetrics, bad_input_is_rejected) {
  const xt::xarray<float> a = {1.0f, 2.0f};
  EXPECT_THROW(error_stats(a, xt::xarray<float>{1.0f, 2.0f, 3.0f}), InvalidArgument);
  EXPECT_THROW(error_stats(a, xt::xarray<float>{{1.0f, 2.0f}}), InvalidArgument);  // [1, 2] vs [2]
  EXPECT_THROW(error_stats(xt::xarray<float>::from_shape({0}), xt::xarray<float>::from_shape({0})), InvalidArgument);
  EXPECT_THROW(error_stats(a, xt::xarray<float>{1.0f, std::numeric_limits<float>::quiet_NaN()}), InvalidArgument);
  EXPECT_THROW(error_stats(xt::xarray<float>{1.0f, std::numeric_limits<float>::infinity()}, a), InvalidArgument);
  EXPECT_THROW(error_stats(a, a, 0), InvalidArgument);
  EXPECT_THROW(error_stats(a, a, (1 << 16) + 1), InvalidArgument);
  EXPECT_NO_THROW(error_stats(a, a, 1));
}

}  // namespace
}  // namespace quantlab::quant
