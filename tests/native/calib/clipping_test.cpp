// Clipping searches on a histogram: quantiles and percentiles (C2), the
// expected-MSE model against the measured error (C3), the MSE search never
// worse than min-max in that model (C4), and KL's fallback (C5).
#include "quantlab/calib/clipping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "quant/sample_data.h"
#include "quantlab/calib/histogram.h"
#include "quantlab/error.h"
#include "quantlab/quant/metrics.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"

namespace quantlab::calib {
namespace {

Histogram histogram_of(const xt::xarray<float>& x, int bins = kDefaultBins) {
  Histogram h(bins);
  for (const float v : x) h.add(v);
  return h;
}

quant::QuantSpec spec_of(quant::Scheme scheme, int bits) {
  quant::QuantSpec s;
  s.scheme = scheme;
  s.bits = bits;
  return s;
}

TEST(CalibClipping, quantiles_of_evenly_spread_data_are_linear_to_a_bin) {
  constexpr int kCount = 10000;
  constexpr int kBins = 1000;
  Histogram h(kBins);
  for (int i = 0; i < kCount; ++i) h.add(static_cast<float>((i + 0.5) / kCount));
  for (const double q : {0.0, 0.001, 0.1, 0.25, 0.5, 0.9, 0.999, 1.0}) {
    EXPECT_NEAR(quantile(h, q), q, 1.0 / kBins) << q;
  }
  EXPECT_EQ(quantile(h, 0.0), h.min());
  EXPECT_EQ(quantile(h, 1.0), h.max());
}

TEST(CalibClipping, percentile_100_is_min_max_and_lower_percentiles_clip_both_tails) {
  test::Sampler rng(3);
  const xt::xarray<float> x = test::sample(1 << 14, [&] { return rng.laplace(1.0); });
  const Histogram h = histogram_of(x);
  const ClipRange all = percentile_range(h, 100.0);
  EXPECT_EQ(all.min, h.min());
  EXPECT_EQ(all.max, h.max());
  const ClipRange p999 = percentile_range(h, 99.9);
  const ClipRange p99 = percentile_range(h, 99.0);
  EXPECT_LT(p999.max, all.max);
  EXPECT_GT(p999.min, all.min);
  EXPECT_LT(p99.max, p999.max);
  EXPECT_GT(p99.min, p999.min);
  // Laplace(1): P(x > t) = e^−t / 2, so the 99th percentile is ln 50 ≈ 3.91.
  EXPECT_NEAR(p99.max, std::log(50.0), 0.15);
  EXPECT_NEAR(p99.min, -std::log(50.0), 0.15);
  const ClipRange median = percentile_range(h, 50.0);
  EXPECT_EQ(median.min, median.max);
}

TEST(CalibClipping, percentile_outside_50_to_100_is_rejected) {
  const Histogram h = histogram_of(xt::xarray<float>{1.0f, 2.0f});
  for (const double p : {49.9, 100.01, -1.0, std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THROW(percentile_range(h, p), InvalidArgument) << p;
  }
}

TEST(CalibClipping, expected_mse_predicts_the_measured_quantization_mse) {
  // The model assumes values spread evenly inside each bin; with 2048 bins and
  // 2^16 samples the prediction is within a few percent of the measured error,
  // with or without clipping.
  constexpr double kRelativeTolerance = 0.05;
  test::Sampler rng(5);
  const std::vector<xt::xarray<float>> datasets = {
      test::sample(1 << 16, [&] { return rng.uniform(-1, 3); }),
      test::sample(1 << 16, [&] { return rng.normal(); }),
      test::sample(1 << 16, [&] { return rng.laplace(0.5); }),
  };
  for (const auto& x : datasets) {
    const Histogram h = histogram_of(x);
    for (const int bits : {2, 4, 8}) {
      for (const double clip : {1.0, 0.6, 0.25}) {
        const quant::QuantParams p =
            quant::params_from_range(spec_of(quant::Scheme::asymmetric, bits), {static_cast<float>(h.min() * clip)},
                                     {static_cast<float>(h.max() * clip)});
        const double predicted = expected_mse(h, p.scale[0], p.zero_point[0], p.qmin, p.qmax);
        const double measured = quant::error_stats(x, quant::fake_quantize(x, p)).mse;
        EXPECT_NEAR(predicted, measured, kRelativeTolerance * measured) << bits << " bits, clip " << clip;
      }
    }
  }
}

TEST(CalibClipping, mse_range_is_never_worse_than_min_max_in_the_model) {
  test::Sampler rng(8);
  for (const auto& x : {test::sample(1 << 14, [&] { return rng.laplace(1.0); }),
                        test::sample(1 << 14, [&] { return rng.uniform(0, 5); }),
                        test::sample(1 << 14, [&] { return rng.normal() - 3; })}) {
    const Histogram h = histogram_of(x);
    for (const quant::Scheme scheme : {quant::Scheme::symmetric, quant::Scheme::asymmetric}) {
      for (const int bits : {2, 3, 4, 8, 16}) {
        const quant::QuantSpec spec = spec_of(scheme, bits);
        const ClipRange r = mse_range(h, spec);
        const quant::QuantParams best = quant::params_from_range(spec, {r.min}, {r.max});
        const quant::QuantParams minmax = quant::params_from_range(spec, {h.min()}, {h.max()});
        EXPECT_LE(expected_mse(h, best.scale[0], best.zero_point[0], best.qmin, best.qmax),
                  expected_mse(h, minmax.scale[0], minmax.zero_point[0], minmax.qmin, minmax.qmax))
            << quant::to_string(scheme) << " " << bits << " bits";
        EXPECT_LE(r.min, 0.0f);
        EXPECT_GE(r.max, 0.0f);
      }
    }
  }
}

TEST(CalibClipping, mse_range_does_not_clip_uniform_data_at_8_bits) {
  // Uniform data has no tail: any clipping costs more than the finer step saves.
  test::Sampler rng(9);
  const Histogram h = histogram_of(test::sample(1 << 15, [&] { return rng.uniform(-2, 2); }));
  const ClipRange r = mse_range(h, spec_of(quant::Scheme::asymmetric, 8));
  EXPECT_NEAR(r.min, h.min(), 0.02);
  EXPECT_NEAR(r.max, h.max(), 0.02);
}

TEST(CalibClipping, entropy_range_falls_back_to_min_max_when_codes_outnumber_bins) {
  test::Sampler rng(10);
  const Histogram h = histogram_of(test::sample(1 << 14, [&] { return rng.laplace(1.0); }));
  const ClipRange r = entropy_range(h, spec_of(quant::Scheme::symmetric, 16));
  EXPECT_EQ(r.min, h.min());
  EXPECT_EQ(r.max, h.max());
  // At 4 bits the grid is coarse enough for the search, and Laplace tails get clipped.
  const ClipRange r4 = entropy_range(h, spec_of(quant::Scheme::symmetric, 4));
  EXPECT_LT(r4.max, h.max());
}

TEST(CalibClipping, empty_histograms_give_the_zero_range) {
  const Histogram h;
  const quant::QuantSpec spec;
  EXPECT_EQ(quantile(h, 0.5), 0.0);
  EXPECT_EQ(percentile_range(h, 99.0).max, 0.0f);
  EXPECT_EQ(mse_range(h, spec).max, 0.0f);
  EXPECT_EQ(entropy_range(h, spec).max, 0.0f);
  EXPECT_EQ(expected_mse(h, 1.0f, 0, -128, 127), 0.0);
}

}  // namespace
}  // namespace quantlab::calib
