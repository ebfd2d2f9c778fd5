// Observer: batches accumulate per tensor and per channel, non-finite values
// are skipped and counted, the moving average follows (C6), bad batches and
// specs are rejected without changing the state, and calibrate() handles groups.
#include "quantlab/calib/observer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>
#include <xtensor/xarray.hpp>

#include "quant/reference_quantizer.h"
#include "quant/sample_data.h"
#include "quantlab/error.h"
#include "quantlab/quant/params.h"

namespace quantlab::calib {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

const std::vector<ObserverKind> kKinds = {ObserverKind::minmax, ObserverKind::moving_average, ObserverKind::percentile,
                                          ObserverKind::mse, ObserverKind::entropy};

xt::xarray<float> random_batch(const quant::Shape& shape, std::uint64_t seed) {
  test::Sampler rng(seed);
  xt::xarray<float> x = xt::xarray<float>::from_shape(shape);
  for (float& v : x) v = static_cast<float>(rng.normal() * 2 + 0.5);
  return x;
}

quant::QuantSpec channel_spec(int axis) {
  quant::QuantSpec s;
  s.granularity = quant::Granularity::channel;
  s.axis = axis;
  return s;
}

ObserverOptions channel_options(ObserverKind kind, int axis) {
  ObserverOptions o;
  o.kind = kind;
  o.granularity = quant::Granularity::channel;
  o.axis = axis;
  return o;
}

template <typename Fn>
void expect_invalid(Fn&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning '" << needle << "'";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ObserverMinMax, per_channel_ranges_equal_min_max_of_all_batches_together) {
  for (const int axis : {0, 1, 2, -1}) {
    Observer obs(channel_options(ObserverKind::minmax, axis));
    // Batches whose non-channel dimensions differ (the channel axis keeps 4).
    std::vector<xt::xarray<float>> batches;
    for (std::size_t b = 0; b < 4; ++b) {
      quant::Shape shape = {2 + b, 3 + b % 2, 5};
      shape[quant::normalize_axis(axis, 3)] = 4;
      batches.push_back(random_batch(shape, 100 + b));
      obs.observe(batches.back());
    }
    const quant::Ranges r = obs.range(channel_spec(axis));
    ASSERT_EQ(r.min.size(), 4u);
    for (std::size_t c = 0; c < 4; ++c) {
      float lo = kInf, hi = -kInf;
      for (const auto& b : batches) {
        const quant::Shape shape(b.shape().begin(), b.shape().end());
        for (std::size_t i = 0; i < b.size(); ++i) {
          if (test::unravel(shape, i)[quant::normalize_axis(axis, 3)] != c) continue;
          lo = std::min(lo, b.data()[i]);
          hi = std::max(hi, b.data()[i]);
        }
      }
      EXPECT_EQ(r.min[c], lo) << "axis " << axis << " channel " << c;
      EXPECT_EQ(r.max[c], hi) << "axis " << axis << " channel " << c;
      EXPECT_EQ(obs.histogram(c).min(), lo);
    }
    EXPECT_EQ(obs.batch_count(), 4u);
  }
}

TEST(ObserverMinMax, nonfinite_values_are_skipped_and_counted_and_an_all_nan_channel_is_zero) {
  Observer obs(channel_options(ObserverKind::minmax, 1));
  const xt::xarray<float> x = {{1.0f, kNaN, -2.0f}, {kInf, kNaN, 4.0f}, {-kInf, kNaN, 0.5f}};
  obs.observe(x);
  EXPECT_EQ(obs.nonfinite_count(), 5u);
  const quant::Ranges r = obs.range(channel_spec(1));
  EXPECT_EQ(r.min, (std::vector<float>{1.0f, 0.0f, -2.0f}));
  EXPECT_EQ(r.max, (std::vector<float>{1.0f, 0.0f, 4.0f}));
  EXPECT_EQ(r.nonfinite_count, 5u);
  EXPECT_EQ(obs.histogram(0).total(), 1u);
  EXPECT_EQ(obs.histogram(1).total(), 0u);
  EXPECT_EQ(obs.histogram(2).total(), 3u);
  for (const ObserverKind kind : kKinds) {
    Observer o(channel_options(kind, 1));
    o.observe(x);
    const quant::QuantParams p = o.params(channel_spec(1));
    for (const float s : p.scale) EXPECT_TRUE(std::isfinite(s)) << to_string(kind);
  }
}

TEST(ObserverMovingAverage, averages_each_batch_extremes_with_the_momentum_in_float32) {
  ObserverOptions o;
  o.kind = ObserverKind::moving_average;
  o.momentum = 0.25f;
  Observer obs(o);
  obs.observe(xt::xarray<float>{-1.0f, 2.0f});
  obs.observe(xt::xarray<float>{-5.0f, 10.0f});
  obs.observe(xt::xarray<float>{0.5f, 1.0f});
  // (C6): m ← m + c (m_batch − m)
  float lo = -1.0f, hi = 2.0f;
  lo = lo + 0.25f * (-5.0f - lo);
  hi = hi + 0.25f * (10.0f - hi);
  lo = lo + 0.25f * (0.5f - lo);
  hi = hi + 0.25f * (1.0f - hi);
  const quant::Ranges r = obs.range(quant::QuantSpec{});
  EXPECT_EQ(r.min[0], lo);
  EXPECT_EQ(r.max[0], hi);
  // The histogram still holds every value seen, not the average.
  EXPECT_EQ(obs.histogram().min(), -5.0f);
  EXPECT_EQ(obs.histogram().total(), 6u);
}

TEST(ObserverState, empty_batches_are_ignored_and_params_need_data) {
  for (const ObserverKind kind : kKinds) {
    ObserverOptions o;
    o.kind = kind;
    Observer obs(o);
    obs.observe(xt::xarray<float>::from_shape({0, 3}));
    EXPECT_EQ(obs.batch_count(), 0u);
    EXPECT_EQ(obs.slots(), 0u);
    expect_invalid([&] { obs.params(quant::QuantSpec{}); }, "observe a batch first");
    expect_invalid([&] { obs.histogram(0); }, "does not exist");
  }
}

TEST(ObserverState, a_batch_with_other_channels_or_rank_is_rejected_and_changes_nothing) {
  Observer obs(channel_options(ObserverKind::percentile, 1));
  obs.observe(random_batch({3, 4}, 1));
  const quant::Ranges before = obs.range(channel_spec(1));
  expect_invalid([&] { obs.observe(random_batch({3, 5}, 2)); }, "4 channels along axis 1");
  expect_invalid([&] { obs.observe(random_batch({3, 4, 2}, 3)); }, "2-dimensional");
  expect_invalid([&] { obs.observe(random_batch({4}, 4)); }, "does not exist in shape [4]");
  const quant::Ranges after = obs.range(channel_spec(1));
  EXPECT_EQ(before.min, after.min);
  EXPECT_EQ(before.max, after.max);
  EXPECT_EQ(obs.batch_count(), 1u);
}

TEST(ObserverState, per_tensor_observers_accept_batches_of_any_shape) {
  ObserverOptions o;
  o.kind = ObserverKind::percentile;
  Observer obs(o);
  obs.observe(random_batch({3, 4}, 1));
  obs.observe(random_batch({7}, 2));
  obs.observe(random_batch({2, 2, 2}, 3));
  EXPECT_EQ(obs.batch_count(), 3u);
  EXPECT_EQ(obs.histogram().total(), 12u + 7u + 8u);
}

TEST(ObserverState, spec_must_ask_for_the_observers_granularity_and_axis) {
  Observer obs(channel_options(ObserverKind::minmax, -1));
  obs.observe(random_batch({3, 4}, 1));
  EXPECT_NO_THROW(obs.params(channel_spec(1)));  // −1 and 1 are the same axis of a 2-D batch
  expect_invalid([&] { obs.params(channel_spec(0)); }, "channel axis is 1");
  expect_invalid([&] { obs.params(quant::QuantSpec{}); }, "works per channel");
  EXPECT_EQ(obs.params(channel_spec(-1)).axis, 1);
  quant::QuantSpec bad = channel_spec(1);
  bad.bits = 1;
  expect_invalid([&] { obs.params(bad); }, "bits must be");
}

TEST(ObserverState, bad_options_are_rejected_with_the_reason) {
  const auto rejects = [](ObserverOptions o, const std::string& needle) {
    expect_invalid([&] { Observer obs(o); }, needle);
  };
  ObserverOptions o;
  o.granularity = quant::Granularity::group;
  rejects(o, "per tensor or per channel");
  for (const float m : {0.0f, -0.5f, 1.5f, kNaN}) {
    o = ObserverOptions{};
    o.momentum = m;
    rejects(o, "momentum must be in (0, 1]");
  }
  for (const double p : {49.0, 100.5, static_cast<double>(kNaN)}) {
    o = ObserverOptions{};
    o.percentile = p;
    rejects(o, "percentile must be in 50..100");
  }
  for (const int bins : {0, 1, 3, kMaxBins * 2}) {
    o = ObserverOptions{};
    o.bins = bins;
    rejects(o, "histogram bins must be in 4..");
  }
  o = ObserverOptions{};
  o.kind = static_cast<ObserverKind>(99);
  rejects(o, "unknown observer");
  EXPECT_NO_THROW(make_observer(ObserverOptions{}));
}

TEST(ObserverState, kind_names_round_trip_and_unknown_names_list_the_valid_ones) {
  for (const ObserverKind k : kKinds) EXPECT_EQ(parse_observer_kind(to_string(k)), k);
  expect_invalid([] { parse_observer_kind("kl"); }, "expected minmax, moving_average, percentile, mse or entropy");
}

TEST(ObserverCalibrate, groups_use_min_max_over_all_batches) {
  quant::QuantSpec spec;
  spec.granularity = quant::Granularity::group;
  spec.axis = 1;
  spec.group_size = 4;
  const xt::xarray<float> a = random_batch({3, 8}, 1);
  const xt::xarray<float> b = random_batch({3, 8}, 2);
  const Calibration cal = calibrate({a, b}, spec, ObserverOptions{});
  // Per group: the min and max of that group's elements in either batch.
  const quant::Ranges ra = quant::min_max(a, spec);
  const quant::Ranges rb = quant::min_max(b, spec);
  ASSERT_EQ(cal.range.min.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(cal.range.min[i], std::min(ra.min[i], rb.min[i]));
    EXPECT_EQ(cal.range.max[i], std::max(ra.max[i], rb.max[i]));
  }
  EXPECT_EQ(cal.params.scale.size(), 6u);
  EXPECT_EQ(cal.params.axis, 1);
  ObserverOptions mse;
  mse.kind = ObserverKind::mse;
  expect_invalid([&] { calibrate({a}, spec, mse); }, "per-group parameters use the minmax observer");
  expect_invalid([&] { calibrate({a, random_batch({3, 4}, 3)}, spec, ObserverOptions{}); }, "batches of one shape");
  expect_invalid([&] { calibrate({}, spec, ObserverOptions{}); }, "at least one batch");
}

TEST(ObserverCalibrate, equals_an_observer_fed_the_same_batches) {
  const xt::xarray<float> a = random_batch({5, 6}, 1);
  const xt::xarray<float> b = random_batch({2, 6}, 2);
  for (const ObserverKind kind : kKinds) {
    quant::QuantSpec spec = channel_spec(1);
    spec.scheme = quant::Scheme::symmetric;
    ObserverOptions o = channel_options(kind, 1);
    Observer obs(o);
    obs.observe(a);
    obs.observe(b);
    o.granularity = quant::Granularity::tensor;  // calibrate() takes granularity and axis from the spec
    const Calibration cal = calibrate({a, b}, spec, o);
    EXPECT_EQ(cal.params.scale, obs.params(spec).scale) << to_string(kind);
    EXPECT_EQ(cal.range.max, obs.range(spec).max) << to_string(kind);
  }
}

}  // namespace
}  // namespace quantlab::calib
