// The histogram observers earn their keep: on heavy-tailed data (Laplace,
// Student-t, normal with outliers) they choose ranges whose real quantization
// MSE is lower than min-max's — the MSE observer at 8 and 4 bits, percentile and
// entropy at 4 bits — symmetric and asymmetric.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "quant/sample_data.h"
#include "quantlab/calib/observer.h"
#include "quantlab/quant/metrics.h"
#include "quantlab/quant/quantize.h"

namespace quantlab::calib {
namespace {

using test::Sampler;

constexpr std::size_t kSamples = 1 << 17;
constexpr std::uint64_t kSeed = 0x5eed2024;

struct Dataset {
  const char* name;
  xt::xarray<float> values;
};

std::vector<Dataset> heavy_tailed_datasets() {
  Sampler laplace(kSeed), student(kSeed + 1), outliers(kSeed + 2);
  std::vector<Dataset> out;
  out.push_back({"laplace(b=1)", test::sample(kSamples, [&] { return laplace.laplace(1.0); })});
  out.push_back({"student_t(3)", test::sample(kSamples, [&] { return student.student_t(3); })});
  // A normal body and a few large outliers (one in 16384), as activations often look.
  out.push_back({"normal+outliers", test::sample(kSamples, [&] {
                   const double v = outliers.normal();
                   return outliers.uniform01() < 1.0 / 16384 ? 40.0 * (v < 0 ? -1 : 1) + v : v;
                 })});
  return out;
}

double quantization_mse(const xt::xarray<float>& x, const quant::QuantParams& p) {
  return quant::error_stats(x, quant::fake_quantize(x, p)).mse;
}

struct Case {
  quant::Scheme scheme;
  int bits;
};

// Real quantization MSE (fake-quantize the data, compare) with the observer's
// parameters, and with min-max's.
struct Outcome {
  double mse;
  double minmax_mse;
  Calibration calibration;
};

Outcome race(const xt::xarray<float>& x, ObserverKind kind, Case c) {
  quant::QuantSpec spec;
  spec.scheme = c.scheme;
  spec.bits = c.bits;
  ObserverOptions minmax_options;
  ObserverOptions options;
  options.kind = kind;
  const Calibration cal = calibrate({x}, spec, options);
  return {quantization_mse(x, cal.params), quantization_mse(x, calibrate({x}, spec, minmax_options).params), cal};
}

std::string describe(const Dataset& d, ObserverKind kind, Case c, const Outcome& o) {
  return std::string(d.name) + ", " + quant::to_string(c.scheme) + " " + std::to_string(c.bits) +
         " bits: " + to_string(kind) + " range [" + std::to_string(o.calibration.range.min[0]) + ", " +
         std::to_string(o.calibration.range.max[0]) + "] mse " + std::to_string(o.mse) + ", minmax mse " +
         std::to_string(o.minmax_mse);
}

// The MSE observer minimises (a histogram model of) exactly this error, with
// min-max among its candidates, so it wins at every width.
TEST(ObserverQuality, mse_observer_beats_minmax_on_heavy_tailed_data_at_8_and_4_bits) {
  for (const Dataset& d : heavy_tailed_datasets()) {
    for (const Case c : {Case{quant::Scheme::symmetric, 8}, Case{quant::Scheme::asymmetric, 8},
                         Case{quant::Scheme::symmetric, 4}, Case{quant::Scheme::asymmetric, 4}}) {
      const Outcome o = race(d.values, ObserverKind::mse, c);
      EXPECT_LT(o.mse, o.minmax_mse) << describe(d, ObserverKind::mse, c, o);
    }
  }
}

// Percentile and entropy minimise other things (tail mass, KL divergence). At
// 4 bits the rounding step is so coarse that clipping the tails always pays.
// At 8 bits it does not in MSE terms: the step is already fine, and clipping
// even a few large values costs more squared error than it saves (over 12
// seeds they lost to min-max on 3–12 of 12 per distribution), so no 8-bit
// claim is made for them here; see core/docs/quantization.md (C2, C5).
class ObserverTailQuality : public ::testing::TestWithParam<ObserverKind> {};

TEST_P(ObserverTailQuality, beats_minmax_on_heavy_tailed_data_at_4_bits) {
  for (const Dataset& d : heavy_tailed_datasets()) {
    for (const Case c : {Case{quant::Scheme::symmetric, 4}, Case{quant::Scheme::asymmetric, 4}}) {
      const Outcome o = race(d.values, GetParam(), c);
      EXPECT_LT(o.mse, o.minmax_mse) << describe(d, GetParam(), c, o);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Observers, ObserverTailQuality,
                         ::testing::Values(ObserverKind::percentile, ObserverKind::entropy),
                         [](const ::testing::TestParamInfo<ObserverKind>& info) {
                           return std::string(to_string(info.param));
                         });

}  // namespace
}  // namespace quantlab::calib
