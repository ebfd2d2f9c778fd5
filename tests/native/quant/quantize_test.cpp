// quantize / dequantize / fake_quantize against the naive reference, over
// awkward shapes, every axis, every dividing group size and the zero points
// {0, 18, 75, 128, 157, 231, 255}; clamping, ties, ±Inf, NaN and bad parameters.
#include "quantlab/quant/quantize.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "quant/reference_quantizer.h"
#include "quant/sample_data.h"
#include "quantlab/error.h"
#include "quantlab/quant/params.h"
#include "support/float_bits.h"
#include "support/mismatch_log.h"

namespace quantlab::quant {
namespace {

using test::MismatchLog;
using test::reference_code;
using test::reference_slot;
using test::reference_value;

constexpr std::uint64_t kSeed = 0x9a11e7;
const std::vector<std::int32_t> kZeroPoints = {0, 18, 75, 128, 157, 231, 255};

// Power-of-two ± 1 lengths, primes and the shapes ruy's tests like: odd 3-D,
// a deep 1×N×1, matrix-vector.
const std::vector<Shape> kShapes = {{1},          {2},          {3},        {5},         {7},     {8},
                                    {15},         {16},         {17},       {31},        {33},    {64},
                                    {65},         {4, 1},       {1, 4},     {19, 3, 11}, {3, 16}, {16, 3},
                                    {2, 3, 4, 5}, {1, 2047, 1}, {6, 1, 10}, {12, 12},    {17, 33}};

xt::xarray<float> random_array(const Shape& shape, std::uint64_t seed, double spread) {
  test::Sampler rng(seed);
  xt::xarray<float> x = xt::xarray<float>::from_shape(shape);
  for (float& v : x) v = static_cast<float>(rng.uniform(-spread, spread));
  return x;
}

// Random parameters for `spec` on `shape`: scales spread over four decades,
// zero points cycling through kZeroPoints (uint8 grid).
QuantParams random_params(const QuantSpec& spec, const Shape& shape, std::uint64_t seed) {
  test::Sampler rng(seed);
  QuantParams p;
  p.qmin = 0;
  p.qmax = 255;
  p.granularity = spec.granularity;
  p.axis = spec.axis;
  p.group_size = spec.group_size;
  const std::size_t n = param_count(spec, shape);
  for (std::size_t i = 0; i < n; ++i) {
    p.scale.push_back(static_cast<float>(std::pow(10.0, rng.uniform(-3, 1))));
    p.zero_point.push_back(kZeroPoints[i % kZeroPoints.size()]);
  }
  return p;
}

// Every layout an array of `shape` admits: tensor, channel on each axis, group
// on each axis for each group size that divides it (and is not the whole axis).
std::vector<QuantSpec> layouts(const Shape& shape) {
  std::vector<QuantSpec> out;
  out.push_back(QuantSpec{});
  for (std::size_t a = 0; a < shape.size(); ++a) {
    QuantSpec c;
    c.granularity = Granularity::channel;
    c.axis = static_cast<int>(a);
    out.push_back(c);
    for (std::size_t g = 1; g <= shape[a]; ++g) {
      if (shape[a] % g != 0) continue;
      QuantSpec gs;
      gs.granularity = Granularity::group;
      gs.axis = static_cast<int>(a);
      gs.group_size = static_cast<int>(g);
      out.push_back(gs);
    }
  }
  // Negative axes mean the same axes counted from the end.
  QuantSpec last;
  last.granularity = Granularity::channel;
  last.axis = -1;
  out.push_back(last);
  return out;
}

std::string describe(const Shape& shape, const QuantSpec& spec) {
  return shape_to_string(shape) + " " + to_string(spec.granularity) + " axis " + std::to_string(spec.axis) +
         (spec.granularity == Granularity::group ? " group " + std::to_string(spec.group_size) : "");
}

TEST(QuantQuantize, codes_and_values_equal_the_naive_reference_for_every_shape_and_layout) {
  MismatchLog log;
  std::uint64_t seed = kSeed;
  for (const Shape& shape : kShapes) {
    for (const QuantSpec& spec : layouts(shape)) {
      ++seed;
      const xt::xarray<float> x = random_array(shape, seed, 300.0);  // wide enough to clamp at both ends
      const QuantParams p = random_params(spec, shape, seed);
      const xt::xarray<std::int32_t> q = quantize(x, p);
      const xt::xarray<float> fq = fake_quantize(x, p);
      const xt::xarray<float> dq = dequantize(q, p);
      ASSERT_EQ(Shape(q.shape().begin(), q.shape().end()), shape);
      const std::size_t axis = spec.granularity == Granularity::tensor ? 0 : normalize_axis(spec.axis, shape.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        const std::size_t slot =
            reference_slot(shape, spec.granularity, axis, static_cast<std::size_t>(spec.group_size), i);
        const std::int32_t want = reference_code(x.data()[i], p.scale[slot], p.zero_point[slot], p.qmin, p.qmax);
        const float want_value = reference_value(want, p.scale[slot], p.zero_point[slot]);
        log.check(q.data()[i] == want && fq.data()[i] == want_value && dq.data()[i] == want_value, [&] {
          return describe(shape, spec) + " element " + std::to_string(i) + " slot " + std::to_string(slot) + ": code " +
                 std::to_string(q.data()[i]) + " want " + std::to_string(want) + ", fake " +
                 test::describe_float(fq.data()[i]) + " dequant " + test::describe_float(dq.data()[i]) + " want " +
                 test::describe_float(want_value);
        });
      }
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
  EXPECT_GT(log.checked(), 40000u);  // every element of every shape under every layout
}

TEST(QuantQuantize, codes_clamp_to_qmin_and_qmax_and_infinities_saturate) {
  QuantParams p{{0.5f}, {3}, -8, 7, Granularity::tensor, 0, 0};
  const xt::xarray<float> x = {-1e30f,
                               -100.0f,
                               -5.5f,
                               -5.25f,
                               2.0f,
                               2.25f,
                               2.5f,
                               100.0f,
                               3e38f,
                               -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::infinity()};
  const xt::xarray<std::int32_t> want = {-8, -8, -8, -7, 7, 7, 7, 7, 7, -8, 7};
  EXPECT_EQ(quantize(x, p), want);
  // 2.0 → 4 + 3 = 7 is the last code inside; −5.5 → −11 + 3 = −8 the first;
  // −5.25 → −10.5, a tie, → −10 + 3 = −7.
  EXPECT_EQ(dequantize(xt::xarray<std::int32_t>{-8, 7}, p), (xt::xarray<float>{-5.5f, 2.0f}));
}

TEST(QuantQuantize, ties_round_to_even_by_default_and_away_from_zero_on_request) {
  QuantParams p{{1.0f}, {0}, -128, 127, Granularity::tensor, 0, 0};
  const xt::xarray<float> x = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f};
  EXPECT_EQ(quantize(x, p), (xt::xarray<std::int32_t>{-2, -2, 0, 0, 2, 2, 4}));
  EXPECT_EQ(quantize(x, p, Rounding::half_away), (xt::xarray<std::int32_t>{-3, -2, -1, 1, 2, 3, 4}));
  // The zero point is added after rounding, so it does not move the ties.
  p.zero_point = {3};
  EXPECT_EQ(quantize(x, p), (xt::xarray<std::int32_t>{1, 1, 3, 3, 5, 5, 7}));
}

TEST(QuantQuantize, zero_maps_to_the_zero_point_and_back_to_exactly_zero) {
  for (const std::int32_t z : kZeroPoints) {
    const QuantParams p{{0.0137f}, {z}, 0, 255, Granularity::tensor, 0, 0};
    const xt::xarray<float> zero = {0.0f, -0.0f};
    EXPECT_EQ(quantize(zero, p), (xt::xarray<std::int32_t>{z, z}));
    EXPECT_EQ(fake_quantize(zero, p), (xt::xarray<float>{0.0f, 0.0f}));
  }
}

TEST(QuantQuantize, stochastic_rounding_is_reproducible_and_unbiased) {
  constexpr std::size_t kCount = 1 << 16;
  // Rounding up happens with probability frac(x / s); the count of ups is
  // binomial, so 5 standard deviations bound it for this fixed seed.
  constexpr double kSigmas = 5.0;
  const QuantParams p{{1.0f}, {0}, -128, 127, Granularity::tensor, 0, 0};
  for (const float frac : {0.1f, 0.3f, 0.5f, 0.75f}) {
    const xt::xarray<float> x = xt::xarray<float>(xt::ones<float>({kCount}) * (2.0f + frac));
    const xt::xarray<std::int32_t> q = quantize(x, p, Rounding::stochastic, 42);
    EXPECT_EQ(q, quantize(x, p, Rounding::stochastic, 42)) << "same seed, same codes";
    EXPECT_NE(q, quantize(x, p, Rounding::stochastic, 43)) << "another seed, other codes";
    double ups = 0;
    for (const std::int32_t c : q) {
      ASSERT_TRUE(c == 2 || c == 3) << c;
      ups += c == 3;
    }
    const double sd = std::sqrt(kCount * frac * (1 - frac));
    EXPECT_NEAR(ups, kCount * frac, kSigmas * sd) << frac;
  }
  // Values already on the grid never move.
  const xt::xarray<float> exact = {-3.0f, 0.0f, 5.0f, 127.0f};
  EXPECT_EQ(quantize(exact, p, Rounding::stochastic, 7), (xt::xarray<std::int32_t>{-3, 0, 5, 127}));
}

TEST(QuantQuantize, sixteen_bit_grids_keep_every_code_exact) {
  const QuantParams p{{1.0f}, {-32768}, -32768, 32767, Granularity::tensor, 0, 0};
  const xt::xarray<float> x = {0.0f, 1.0f, 65535.0f, 65535.4f, 70000.0f, -1.0f};
  EXPECT_EQ(quantize(x, p), (xt::xarray<std::int32_t>{-32768, -32767, 32767, 32767, 32767, -32768}));
  EXPECT_EQ(dequantize(xt::xarray<std::int32_t>{-32768, 32767}, p), (xt::xarray<float>{0.0f, 65535.0f}));
}

TEST(QuantQuantize, nan_input_throws_naming_the_element) {
  const QuantParams p{{0.1f}, {0}, -128, 127, Granularity::tensor, 0, 0};
  const xt::xarray<float> x = {1.0f, 2.0f, std::numeric_limits<float>::quiet_NaN()};
  for (const bool fake : {false, true}) {
    try {
      if (fake) {
        fake_quantize(x, p);
      } else {
        quantize(x, p);
      }
      ADD_FAILURE() << "NaN was quantized";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("NaN (element 2)"), std::string::npos) << e.what();
    }
  }
}

TEST(QuantQuantize, parameters_that_do_not_fit_the_array_are_rejected) {
  const xt::xarray<float> x = xt::zeros<float>({4, 6});
  const auto rejects = [&](QuantParams p, const std::string& needle) {
    try {
      quantize(x, p);
      ADD_FAILURE() << "accepted; expected an error mentioning '" << needle << "'";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const QuantParams ok{{1.0f}, {0}, -128, 127, Granularity::tensor, 0, 0};
  EXPECT_NO_THROW(quantize(x, ok));
  QuantParams p = ok;
  p.granularity = Granularity::channel;
  p.axis = 1;
  rejects(p, "needs 6");
  p.axis = 2;
  rejects(p, "does not exist in shape [4, 6]");
  p = ok;
  p.granularity = Granularity::group;
  p.axis = 1;
  p.group_size = 4;
  rejects(p, "does not divide");
  p.group_size = 3;
  rejects(p, "needs 8");
  for (const float bad :
       {0.0f, -1.0f, 1e-40f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    p = ok;
    p.scale = {bad};
    rejects(p, "positive normal float32");
  }
  p = ok;
  p.zero_point = {128};
  rejects(p, "outside [-128, 127]");
  p = ok;
  p.qmin = 5;
  p.qmax = 5;
  rejects(p, "qmin < qmax");
  p = ok;
  p.qmax = (1 << 24) + 1;
  rejects(p, "2^24");
}

TEST(QuantQuantize, dequantize_rejects_codes_outside_the_grid) {
  const QuantParams p{{1.0f}, {0}, -8, 7, Granularity::tensor, 0, 0};
  EXPECT_THROW(dequantize(xt::xarray<std::int32_t>{0, 8}, p), InvalidArgument);
  EXPECT_THROW(dequantize(xt::xarray<std::int32_t>{-9}, p), InvalidArgument);
}

TEST(QuantQuantize, empty_and_scalar_arrays_work) {
  const QuantParams p{{0.5f}, {1}, -8, 7, Granularity::tensor, 0, 0};
  EXPECT_EQ(quantize(xt::xarray<float>::from_shape({0}), p).size(), 0u);
  const xt::xarray<float> scalar = 1.25f;  // shape []
  const xt::xarray<std::int32_t> q = quantize(scalar, p);
  EXPECT_EQ(q.dimension(), 0u);
  EXPECT_EQ(q(), 3);  // 2.5 → 2 (even), + 1
}

}  // namespace
}  // namespace quantlab::quant
