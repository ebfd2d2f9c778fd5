// Scale, zero point, codes and fake-quantized values against PyTorch 1.13
// (MinMaxObserver, PerChannelMinMaxObserver, MovingAverage(PerChannel)MinMaxObserver,
// quantize_per_tensor / per_channel, fake_quantize_per_tensor / per_channel_affine),
// from the data scripts/fixtures/make_torch_quant_fixtures.py generated.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "quant/torch_fixture_types.h"
#include "quantlab/calib/observer.h"
#include "quantlab/quant/params.h"
#include "quantlab/quant/quantize.h"
#include "support/float_bits.h"
#include "support/mismatch_log.h"

namespace quantlab::test::torch_fixtures {
#include "quant/torch_fixtures.inc"
}  // namespace quantlab::test::torch_fixtures

namespace quantlab::test {
namespace {

using torch_fixtures::Input;
using torch_fixtures::kBatches;
using torch_fixtures::kInputs;
using torch_fixtures::kObserverCases;
using torch_fixtures::kRunningCases;
using torch_fixtures::ObserverCase;
using torch_fixtures::SpecFields;

// Scales must be bit-identical to torch's: both evaluate (Q5)/(Q7) as the same
// float32 operations (one subtraction or max, one division by an exact
// constant, one max with eps), each correctly rounded, so there is no ulp of
// freedom; a difference would mean a different formula.
constexpr std::uint32_t kScaleMaxUlps = 0;
// Fake-quantized values must be bit-identical too: ATen computes
// (clamp(z + nearbyint(x · (1/s))) − z) · s with the same float32 steps as (Q2)
// then (Q1).
constexpr std::uint32_t kFakeQuantMaxUlps = 0;
// Moving averages: m + c · (m_batch − m) in float32 on both sides (C6).
constexpr std::uint32_t kRangeMaxUlps = 0;

std::uint32_t ulp_distance(float a, float b) {
  if (a == b) return 0;  // also +0 and -0
  // Map the sign-magnitude bits onto a monotonic integer line.
  const auto key = [](float f) {
    const std::int64_t u = float_to_bits(f);
    return (u & 0x80000000) ? -(u & 0x7fffffff) : u;
  };
  return static_cast<std::uint32_t>(std::llabs(key(a) - key(b)));
}

const Input& input_named(const char* name) {
  for (const Input& in : kInputs) {
    if (std::string(in.name) == name) return in;
  }
  throw std::runtime_error(std::string("fixture input not found: ") + name);
}

xt::xarray<float> to_array(const Input& in) { return xt::xarray<float>(xt::adapt(in.values, in.shape)); }

quant::QuantSpec to_spec(const SpecFields& f) {
  quant::QuantSpec s;
  s.scheme = f.scheme;
  s.bits = f.bits;
  s.is_signed = f.is_signed;
  s.narrow_range = f.narrow_range;
  s.granularity = f.granularity;
  s.axis = f.axis;
  return s;
}

// Torch's parameters on a chosen code range: the observer's grid for
// fake_quantize, the dtype's full range for quantize_per_* (which clamps to
// the dtype, not to reduce_range's or a custom quant range).
quant::QuantParams torch_params(const ObserverCase& c, int code_min, int code_max) {
  quant::QuantParams p;
  p.scale = c.scale;
  p.zero_point = c.zero_point;
  p.qmin = code_min;
  p.qmax = code_max;
  p.granularity = c.spec.granularity;
  p.axis = c.spec.axis;
  return p;
}

template <typename T>
std::string list(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

void expect_params_equal(MismatchLog& log, const std::string& name, const quant::QuantParams& got,
                         const std::vector<float>& scale, const std::vector<std::int32_t>& zero_point, int qmin,
                         int qmax) {
  log.check(got.qmin == qmin && got.qmax == qmax, [&] {
    return name + ": grid [" + std::to_string(got.qmin) + ", " + std::to_string(got.qmax) + "], torch [" +
           std::to_string(qmin) + ", " + std::to_string(qmax) + "]";
  });
  log.check(got.scale.size() == scale.size(),
            [&] { return name + ": " + std::to_string(got.scale.size()) + " scales"; });
  for (std::size_t i = 0; i < std::min(got.scale.size(), scale.size()); ++i) {
    log.check(ulp_distance(got.scale[i], scale[i]) <= kScaleMaxUlps, [&] {
      return name + ": scale " + std::to_string(i) + " " + describe_float(got.scale[i]) + ", torch " +
             describe_float(scale[i]);
    });
  }
  log.check(got.zero_point == zero_point,
            [&] { return name + ": zero points " + list(got.zero_point) + ", torch " + list(zero_point); });
}

TEST(QuantTorchReference, fixture_covers_every_configuration_the_issue_names) {
  int affine_quint8 = 0, symmetric_qint8 = 0, channel_axis0 = 0, channel_axis1 = 0, reduced = 0;
  for (const ObserverCase& c : kObserverCases) {
    const std::string n = c.name;
    affine_quint8 += n.find("per_tensor_affine, quint8") != std::string::npos;
    symmetric_qint8 += n.find("per_tensor_symmetric, qint8") != std::string::npos;
    channel_axis0 += n.find("per_channel_symmetric, qint8, ch_axis=0") != std::string::npos;
    channel_axis1 += n.find("per_channel_symmetric, qint8, ch_axis=1") != std::string::npos;
    reduced += n.find("reduce_range=True") != std::string::npos;
  }
  EXPECT_GT(affine_quint8, 0);
  EXPECT_GT(symmetric_qint8, 0);
  EXPECT_GT(channel_axis0, 0);
  EXPECT_GT(channel_axis1, 0);
  EXPECT_GT(reduced, 0);
  EXPECT_GE(kRunningCases.size(), 4u);
}

TEST(QuantTorchReference, params_from_data_equal_torch_minmax_observers_bit_for_bit) {
  MismatchLog log;
  for (const ObserverCase& c : kObserverCases) {
    const quant::QuantParams p = quant::params_from_data(to_array(input_named(c.input)), to_spec(c.spec));
    expect_params_equal(log, c.name, p, c.scale, c.zero_point, c.quant_min, c.quant_max);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
  EXPECT_EQ(
      log.checked(), kObserverCases.size() * 3 + [] {
        std::size_t n = 0;
        for (const ObserverCase& c : kObserverCases) n += c.scale.size();
        return n;
      }());
}

TEST(QuantTorchReference, minmax_observer_params_equal_torch_minmax_observers_bit_for_bit) {
  MismatchLog log;
  for (const ObserverCase& c : kObserverCases) {
    const quant::QuantSpec spec = to_spec(c.spec);
    calib::ObserverOptions o;
    o.kind = calib::ObserverKind::minmax;
    o.granularity = spec.granularity;
    o.axis = spec.axis;
    calib::Observer obs = calib::make_observer(o);
    obs.observe(to_array(input_named(c.input)));
    expect_params_equal(log, c.name, obs.params(spec), c.scale, c.zero_point, c.quant_min, c.quant_max);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(QuantTorchReference, quantize_codes_equal_torch_quantize_per_tensor_and_per_channel) {
  MismatchLog log;
  std::size_t codes = 0;
  for (const ObserverCase& c : kObserverCases) {
    const xt::xarray<std::int32_t> q =
        quant::quantize(to_array(input_named(c.input)), torch_params(c, c.dtype_min, c.dtype_max));
    ASSERT_EQ(q.size(), c.q.size()) << c.name;
    for (std::size_t i = 0; i < q.size(); ++i) {
      log.check(q.data()[i] == c.q[i], [&] {
        return std::string(c.name) + ": element " + std::to_string(i) + " (" +
               describe_float(input_named(c.input).values[i]) + ") code " + std::to_string(q.data()[i]) + ", torch " +
               std::to_string(c.q[i]);
      });
    }
    codes += q.size();
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
  EXPECT_GT(codes, 5000u) << "the fixture should hold thousands of codes";
}

TEST(QuantTorchReference, fixture_ties_tell_half_even_from_half_away) {
  // The ties input is built so that, with torch's scale 0.5, x · (1/s) = 2x
  // lands exactly on k + 1/2 for a third of its values: half-to-even must agree
  // with torch on all of them and half-away-from-zero must not.
  const ObserverCase* tie_case = nullptr;
  for (const ObserverCase& c : kObserverCases) {
    if (std::string(c.name) == "ties_4x16 / MinMaxObserver(per_tensor_affine, quint8, reduce_range=False)")
      tie_case = &c;
  }
  ASSERT_NE(tie_case, nullptr);
  ASSERT_EQ(tie_case->scale, std::vector<float>{0.5f});
  ASSERT_EQ(tie_case->zero_point, std::vector<std::int32_t>{128});
  const Input& in = input_named(tie_case->input);
  const quant::QuantParams p = torch_params(*tie_case, tie_case->dtype_min, tie_case->dtype_max);
  const xt::xarray<std::int32_t> even = quant::quantize(to_array(in), p, quant::Rounding::half_even);
  const xt::xarray<std::int32_t> away = quant::quantize(to_array(in), p, quant::Rounding::half_away);
  int ties = 0, away_differs = 0;
  for (std::size_t i = 0; i < in.values.size(); ++i) {
    const float v = 2.0f * in.values[i];
    if (v - std::floor(v) != 0.5f) continue;
    ++ties;
    EXPECT_EQ(even.data()[i], tie_case->q[i]) << describe_float(in.values[i]);
    away_differs += away.data()[i] != tie_case->q[i];
  }
  EXPECT_GE(ties, 15);
  EXPECT_GE(away_differs, ties / 3) << "half-away should lose on the ties that round down to even";
}

TEST(QuantTorchReference, fake_quantize_equals_torch_fake_quantize_affine_within_kFakeQuantMaxUlps) {
  MismatchLog log;
  for (const ObserverCase& c : kObserverCases) {
    const xt::xarray<float> fq =
        quant::fake_quantize(to_array(input_named(c.input)), torch_params(c, c.quant_min, c.quant_max));
    ASSERT_EQ(fq.size(), c.fake_quant.size()) << c.name;
    for (std::size_t i = 0; i < fq.size(); ++i) {
      log.check(ulp_distance(fq.data()[i], c.fake_quant[i]) <= kFakeQuantMaxUlps, [&] {
        return std::string(c.name) + ": element " + std::to_string(i) + " " + describe_float(fq.data()[i]) +
               ", torch " + describe_float(c.fake_quant[i]);
      });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(QuantTorchReference, running_observers_match_torch_after_every_batch) {
  MismatchLog log;
  for (const auto& rc : kRunningCases) {
    const quant::QuantSpec spec = to_spec(rc.spec);
    calib::ObserverOptions o;
    o.kind = calib::parse_observer_kind(rc.observer);
    o.granularity = spec.granularity;
    o.axis = spec.axis;
    if (o.kind == calib::ObserverKind::moving_average) o.momentum = rc.averaging_constant;
    calib::Observer obs(o);
    ASSERT_EQ(rc.steps.size(), kBatches.size()) << rc.name;
    for (std::size_t b = 0; b < kBatches.size(); ++b) {
      obs.observe(to_array(kBatches[b]));
      const auto& want = rc.steps[b];
      const std::string name = std::string(rc.name) + " after batch " + std::to_string(b);
      const quant::Ranges r = obs.range(spec);
      log.check(r.min.size() == want.min.size(), [&] { return name + ": slot count " + std::to_string(r.min.size()); });
      for (std::size_t i = 0; i < std::min(r.min.size(), want.min.size()); ++i) {
        log.check(ulp_distance(r.min[i], want.min[i]) <= kRangeMaxUlps &&
                      ulp_distance(r.max[i], want.max[i]) <= kRangeMaxUlps,
                  [&] {
                    return name + ": slot " + std::to_string(i) + " range [" + describe_float(r.min[i]) + ", " +
                           describe_float(r.max[i]) + "], torch [" + describe_float(want.min[i]) + ", " +
                           describe_float(want.max[i]) + "]";
                  });
      }
      expect_params_equal(log, name, obs.params(spec), want.scale, want.zero_point, rc.quant_min, rc.quant_max);
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

}  // namespace
}  // namespace quantlab::test
