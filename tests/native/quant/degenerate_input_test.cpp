// Degenerate data through the whole pipeline — ranges, parameters, fake
// quantization, error metrics, every observer — for every scheme and width:
// all zeros, constants, one element, denormals, 1e-30..1e30, ±FLT_MAX. Nothing
// may be NaN or infinite, and 0 must come back as exactly 0.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>
#include <xtensor/xarray.hpp>

#include "quantlab/calib/observer.h"
#include "quantlab/quant/metrics.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"
#include "support/mismatch_log.h"

namespace quantlab::quant {
namespace {

using test::MismatchLog;

struct Degenerate {
  const char* name;
  xt::xarray<float> x;
};

std::vector<Degenerate> degenerate_data() {
  return {
      {"all zeros", xt::zeros<float>({4, 3})},
      {"negative zeros", xt::xarray<float>{{-0.0f, -0.0f}, {0.0f, -0.0f}}},
      {"constant 3.25", xt::xarray<float>(xt::ones<float>({2, 5}) * 3.25f)},
      {"constant -7", xt::xarray<float>(xt::ones<float>({3, 2}) * -7.0f)},
      {"one element", xt::xarray<float>(xt::ones<float>({1, 1}) * -0.7f)},
      {"one zero", xt::zeros<float>({1, 1})},
      {"denormals", xt::xarray<float>{{1e-45f, -3e-44f}, {1e-40f, 0.0f}}},
      {"1e-30 to 1e30", xt::xarray<float>{{1e-30f, -1e-30f, 1e30f}, {-1e30f, 1e-10f, 3.0f}}},
      {"only tiny", xt::xarray<float>{{1e-30f, 2e-30f}, {-5e-31f, 1e-38f}}},
      {"only huge", xt::xarray<float>{{1e30f, 2e30f}, {3e30f, 1e29f}}},
      {"float32 extremes", xt::xarray<float>{{FLT_MAX, -FLT_MAX}, {0.0f, 1.0f}}},
  };
}

std::vector<QuantSpec> specs() {
  std::vector<QuantSpec> out;
  for (const Scheme scheme : {Scheme::asymmetric, Scheme::symmetric}) {
    for (const int bits : {2, 4, 8, 16}) {
      for (const bool is_signed : {true, false}) {
        for (const Granularity g : {Granularity::tensor, Granularity::channel}) {
          QuantSpec s;
          s.scheme = scheme;
          s.bits = bits;
          s.is_signed = is_signed;
          s.granularity = g;
          s.axis = 1;
          out.push_back(s);
        }
      }
    }
  }
  return out;
}

bool all_finite(const xt::xarray<float>& a) {
  for (const float v : a) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

std::string describe(const Degenerate& d, const QuantSpec& s, const std::string& what) {
  return std::string(d.name) + ", " + to_string(s.scheme) + " " + (s.is_signed ? "int" : "uint") +
         std::to_string(s.bits) + " per " + to_string(s.granularity) + ", " + what;
}

TEST(QuantDegenerateInput, parameters_fake_quantization_and_metrics_stay_finite) {
  MismatchLog log;
  for (const Degenerate& d : degenerate_data()) {
    for (const QuantSpec& spec : specs()) {
      const QuantParams p = params_from_data(d.x, spec);
      for (std::size_t i = 0; i < p.scale.size(); ++i) {
        log.check(std::isfinite(p.scale[i]) && p.scale[i] >= kMinScale,
                  [&] { return describe(d, spec, "scale " + std::to_string(p.scale[i])); });
      }
      const xt::xarray<float> xhat = fake_quantize(d.x, p);
      log.check(all_finite(xhat), [&] { return describe(d, spec, "fake quantization not finite"); });
      for (std::size_t i = 0; i < d.x.size(); ++i) {
        if (d.x.data()[i] == 0.0f) {
          log.check(xhat.data()[i] == 0.0f, [&] { return describe(d, spec, "0 did not come back as 0"); });
        }
      }
      const ErrorStats st = error_stats(d.x, xhat);
      for (const double v : {st.mse, st.rmse, st.max_abs_error, st.cosine}) {
        log.check(std::isfinite(v), [&] { return describe(d, spec, "a metric is " + std::to_string(v)); });
      }
      log.check(!std::isnan(st.sqnr_db), [&] { return describe(d, spec, "SQNR is NaN"); });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(QuantDegenerateInput, constant_and_all_zero_data_reconstruct_exactly_when_the_grid_reaches_them) {
  QuantSpec s;
  const xt::xarray<float> zeros = xt::zeros<float>({8});
  EXPECT_EQ(fake_quantize(zeros, params_from_data(zeros, s)), zeros);
  // A positive constant c: the range [0, c] puts c on the top level, exactly.
  const xt::xarray<float> c = xt::ones<float>({8}) * 3.25f;
  EXPECT_EQ(fake_quantize(c, params_from_data(c, s)), c);
}

TEST(QuantDegenerateInput, every_observer_gives_finite_parameters) {
  MismatchLog log;
  for (const Degenerate& d : degenerate_data()) {
    for (const calib::ObserverKind kind :
         {calib::ObserverKind::minmax, calib::ObserverKind::moving_average, calib::ObserverKind::percentile,
          calib::ObserverKind::mse, calib::ObserverKind::entropy}) {
      for (const QuantSpec& spec : specs()) {
        calib::ObserverOptions o;
        o.kind = kind;
        const calib::Calibration cal = calib::calibrate({d.x, d.x}, spec, o);
        bool ok = true;
        for (std::size_t i = 0; i < cal.params.scale.size(); ++i) {
          ok = ok && std::isfinite(cal.params.scale[i]) && std::isfinite(cal.range.min[i]) &&
               std::isfinite(cal.range.max[i]) && cal.range.min[i] <= cal.range.max[i];
        }
        ok = ok && all_finite(fake_quantize(d.x, cal.params));
        log.check(ok, [&] { return describe(d, spec, std::string(calib::to_string(kind)) + " not finite"); });
      }
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

}  // namespace
}  // namespace quantlab::quant
