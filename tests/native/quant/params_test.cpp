// Scale and zero point from a range (Q4–Q8): 0.0 exactly representable, every
// value of the range within s/2 of its reconstruction, the symmetric zero point
// in the middle of the grid, the eps floor, overflow of huge ranges; and the
// per-slot ranges of min_max (Q11).
#include "quantlab/quant/params.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>
#include <xtensor/xarray.hpp>

#include "quant/reference_quantizer.h"
#include "quant/sample_data.h"
#include "quantlab/error.h"
#include "quantlab/quant/quantize.h"
#include "support/mismatch_log.h"

namespace quantlab::quant {
namespace {

using test::MismatchLog;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Ranges that probe every branch: mixed sign, one-sided, tiny, huge, lopsided,
// degenerate, and the widest float32 allows.
const std::vector<std::pair<float, float>> kRanges = {
    {-1.0f, 1.0f},       {-3.0f, 0.5f},     {0.25f, 7.0f},    {-9.0f, -2.0f},  {0.0f, 0.0f},
    {5.0f, 5.0f},        {-1e-30f, 1e-30f}, {1e-40f, 3e-39f}, {-1e30f, 1e30f}, {-1e30f, 1e-30f},
    {-FLT_MAX, FLT_MAX}, {-1e-3f, 1e4f},    {-127.5f, 0.0f},  {0.0f, 255.0f},  {-0.1f, 0.1f}};

std::vector<QuantSpec> all_grids() {
  std::vector<QuantSpec> out;
  for (const Scheme scheme : {Scheme::asymmetric, Scheme::symmetric}) {
    for (const int bits : {2, 3, 4, 5, 6, 7, 8, 16}) {
      for (const bool is_signed : {true, false}) {
        for (const bool narrow : {false, true}) {
          QuantSpec s;
          s.scheme = scheme;
          s.bits = bits;
          s.is_signed = is_signed;
          s.narrow_range = narrow;
          out.push_back(s);
        }
      }
    }
  }
  return out;
}

std::string describe(const QuantSpec& s, float lo, float hi) {
  return std::string(to_string(s.scheme)) + " " + (s.is_signed ? "int" : "uint") + std::to_string(s.bits) +
         (s.narrow_range ? " narrow" : "") + " range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

TEST(QuantParams, zero_is_exactly_representable_for_every_grid_and_range) {
  MismatchLog log;
  for (const QuantSpec& spec : all_grids()) {
    for (const auto& range : kRanges) {
      const float lo = range.first;  // not a structured binding: lambdas capture it (C++17)
      const float hi = range.second;
      const QuantParams p = params_from_range(spec, {lo}, {hi});
      const float s = p.scale[0];
      const std::int32_t z = p.zero_point[0];
      log.check(std::isfinite(s) && s >= kMinScale && z >= p.qmin && z <= p.qmax, [&] {
        return describe(spec, lo, hi) + ": scale " + std::to_string(s) + " zero point " + std::to_string(z);
      });
      const xt::xarray<std::int32_t> q = quantize(xt::xarray<float>{0.0f}, p);
      log.check(q(0) == z && fake_quantize(xt::xarray<float>{0.0f}, p)(0) == 0.0f,
                [&] { return describe(spec, lo, hi) + ": 0 quantizes to " + std::to_string(q(0)); });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(QuantParams, every_value_of_the_range_reconstructs_within_half_a_step) {
  // The grid covers [s·round(min/s), s·round(min/s) + s·(qmax − qmin)] ⊇ [min, max]
  // widened by at most s/2 at either end (Q6), so no value of the range is
  // clipped by more than s/2. Slack: the float32 product x · (1/s) may be off by
  // an ulp of |x|/s, i.e. a relative 2^-23 of |x|.
  MismatchLog log;
  for (const QuantSpec& spec : all_grids()) {
    for (const auto& range : kRanges) {
      const float lo = range.first;  // not a structured binding: lambdas capture it (C++17)
      const float hi = range.second;
      const QuantParams p = params_from_range(spec, {lo}, {hi});
      const double s = p.scale[0];
      for (int k = 0; k <= 64; ++k) {
        const float x = static_cast<float>(static_cast<double>(lo) + (static_cast<double>(hi) - lo) * k / 64);
        const float xhat = fake_quantize(xt::xarray<float>{x}, p)(0);
        const double err = std::fabs(static_cast<double>(xhat) - x);
        const double bound = s / 2 + std::fabs(static_cast<double>(x)) * 0x1p-22;
        log.check(err <= bound, [&] {
          return describe(spec, lo, hi) + ": x " + std::to_string(x) + " → " + std::to_string(xhat) + ", error " +
                 std::to_string(err) + " > " + std::to_string(bound);
        });
      }
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(QuantParams, symmetric_zero_point_is_the_middle_code_and_scale_spans_max_abs) {
  for (const QuantSpec& grid : all_grids()) {
    if (grid.scheme != Scheme::symmetric) continue;
    const QuantParams p = params_from_range(grid, {-3.0f}, {1.5f});
    const int lo = qmin(grid), hi = qmax(grid);
    EXPECT_EQ(p.zero_point[0], (lo + hi + 1) / 2) << describe(grid, -3, 1.5f);
    EXPECT_EQ(p.scale[0], 3.0f / (static_cast<float>(hi - lo) / 2.0f)) << describe(grid, -3, 1.5f);
  }
  QuantSpec uint8;
  uint8.scheme = Scheme::symmetric;
  uint8.is_signed = false;
  EXPECT_EQ(params_from_range(uint8, {-1.0f}, {1.0f}).zero_point[0], 128);  // as torch's quint8
  QuantSpec int8 = uint8;
  int8.is_signed = true;
  EXPECT_EQ(params_from_range(int8, {-1.0f}, {1.0f}).zero_point[0], 0);
}

TEST(QuantParams, asymmetric_grid_stretches_from_min_to_max_as_torch_computes_it) {
  QuantSpec uint8;
  uint8.is_signed = false;
  const QuantParams p = params_from_range(uint8, {-1.0f}, {3.0f});
  EXPECT_EQ(p.scale[0], 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point[0], 64);  // 0 − round(−1 / (4/255)) = round(63.75)
  // A positive range is widened to include 0, so the zero point is qmin.
  EXPECT_EQ(params_from_range(uint8, {2.0f}, {4.0f}).zero_point[0], 0);
  EXPECT_EQ(params_from_range(uint8, {2.0f}, {4.0f}).scale[0], 4.0f / 255.0f);
  // A negative one: the zero point is qmax.
  EXPECT_EQ(params_from_range(uint8, {-4.0f}, {-2.0f}).zero_point[0], 255);
}

TEST(QuantParams, tiny_ranges_floor_the_scale_at_float32_eps_like_torch) {
  for (const auto& [lo, hi] : std::vector<std::pair<float, float>>{{0, 0}, {-1e-30f, 1e-30f}, {1e-40f, 1e-38f}}) {
    for (const QuantSpec& spec : all_grids()) {
      EXPECT_EQ(params_from_range(spec, {lo}, {hi}).scale[0], kMinScale) << describe(spec, lo, hi);
    }
  }
  EXPECT_EQ(kMinScale, FLT_EPSILON);
}

TEST(QuantParams, a_range_wider_than_float32_max_still_gets_a_finite_scale) {
  QuantSpec spec;
  const QuantParams p = params_from_range(spec, {-FLT_MAX}, {FLT_MAX});
  EXPECT_TRUE(std::isfinite(p.scale[0]));
  EXPECT_EQ(p.scale[0], static_cast<float>(2.0 * FLT_MAX / 255.0));
  EXPECT_EQ(p.zero_point[0], 0);  // −128 − round(−FLT_MAX / s) = −128 + 128 (the tie 127.5 rounds to even)
}

TEST(QuantParams, bad_ranges_are_rejected_with_the_reason) {
  QuantSpec spec;
  const auto rejects = [&](std::vector<float> lo, std::vector<float> hi, const std::string& needle) {
    try {
      params_from_range(spec, lo, hi);
      ADD_FAILURE() << "accepted; expected an error mentioning '" << needle << "'";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  rejects({kNaN}, {1}, "is not finite");
  rejects({0}, {kInf}, "is not finite");
  rejects({-kInf}, {0}, "is not finite");
  rejects({2}, {1}, "min 2 > max 1");
  rejects({0, 0}, {1}, "2 minima but 1 maxima");
  rejects({}, {}, "at least one range");
  rejects({0, 1, 5}, {1, 2, 3}, "range 2 has min 5 > max 3");
  spec.bits = 9;
  rejects({0}, {1}, "bits must be 2..8 or 16");
}

TEST(QuantParams, param_shape_has_one_slot_per_tensor_channel_or_group) {
  QuantSpec s;
  EXPECT_EQ(param_shape(s, {4, 6}), (Shape{1}));
  EXPECT_EQ(param_shape(s, {}), (Shape{1}));
  s.granularity = Granularity::channel;
  s.axis = 1;
  EXPECT_EQ(param_shape(s, {4, 6}), (Shape{6}));
  s.axis = -2;
  EXPECT_EQ(param_shape(s, {4, 6}), (Shape{4}));
  s.granularity = Granularity::group;
  s.axis = 1;
  s.group_size = 3;
  EXPECT_EQ(param_shape(s, {4, 6}), (Shape{4, 2}));
  EXPECT_EQ(param_count(s, {4, 6}), 8u);
  s.axis = 0;
  s.group_size = 2;
  EXPECT_EQ(param_shape(s, {4, 6, 5}), (Shape{2, 6, 5}));
}

TEST(QuantParams, min_max_per_slot_equals_a_naive_scan_and_skips_nonfinite_values) {
  MismatchLog log;
  std::uint64_t seed = 11;
  for (const Shape& shape : std::vector<Shape>{{7}, {4, 6}, {6, 4}, {3, 5, 4}, {2, 3, 4, 5}, {1, 33, 1}}) {
    std::vector<QuantSpec> specs(1);
    for (std::size_t a = 0; a < shape.size(); ++a) {
      QuantSpec c;
      c.granularity = Granularity::channel;
      c.axis = static_cast<int>(a);
      specs.push_back(c);
      for (const std::size_t g : {std::size_t{1}, std::size_t{2}, std::size_t{3}, shape[a]}) {
        if (shape[a] % g) continue;
        QuantSpec gs;
        gs.granularity = Granularity::group;
        gs.axis = static_cast<int>(a);
        gs.group_size = static_cast<int>(g);
        specs.push_back(gs);
      }
    }
    for (const QuantSpec& spec : specs) {
      test::Sampler rng(++seed);
      xt::xarray<float> x = xt::xarray<float>::from_shape(shape);
      std::uint64_t nonfinite = 0;
      for (float& v : x) {
        const double u = rng.uniform01();
        v = u < 0.05 ? kNaN : u < 0.08 ? -kInf : u < 0.1 ? kInf : static_cast<float>(rng.uniform(-50, 50));
        nonfinite += !std::isfinite(v);
      }
      const Ranges r = min_max(x, spec);
      const std::size_t slots = param_count(spec, shape);
      std::vector<float> lo(slots, kInf), hi(slots, -kInf);
      const std::size_t axis = spec.granularity == Granularity::tensor ? 0 : static_cast<std::size_t>(spec.axis);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const float v = x.data()[i];
        if (!std::isfinite(v)) continue;
        const std::size_t slot =
            test::reference_slot(shape, spec.granularity, axis, static_cast<std::size_t>(spec.group_size), i);
        lo[slot] = std::min(lo[slot], v);
        hi[slot] = std::max(hi[slot], v);
      }
      for (std::size_t i = 0; i < slots; ++i) {
        if (lo[i] > hi[i]) lo[i] = hi[i] = 0;  // a slot without finite values
      }
      log.check(r.min == lo && r.max == hi && r.nonfinite_count == nonfinite, [&] {
        return shape_to_string(shape) + " " + to_string(spec.granularity) + " axis " + std::to_string(spec.axis) +
               " group " + std::to_string(spec.group_size) + ": ranges differ from the scan (nonfinite " +
               std::to_string(r.nonfinite_count) + " vs " + std::to_string(nonfinite) + ")";
      });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(QuantParams, params_from_data_normalizes_a_negative_axis) {
  QuantSpec s;
  s.granularity = Granularity::channel;
  s.axis = -1;
  const xt::xarray<float> x = {{1.0f, -2.0f, 3.0f}, {-4.0f, 5.0f, 0.5f}};
  const QuantParams p = params_from_data(x, s);
  EXPECT_EQ(p.axis, 1);
  EXPECT_EQ(p.scale.size(), 3u);
}

}  // namespace
}  // namespace quantlab::quant
