// encode() of fp16, bf16, fp8 E4M3 and fp8 E5M2 against the table-lookup
// rounder in support/float_format_reference.h, bit for bit, under both
// overflow policies (fp16 and bf16 must ignore the policy).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"
#include "support/float_format_reference.h"
#include "support/mismatch_log.h"

namespace quantlab::formats {
namespace {

using test::describe_double;
using test::hex;
using test::MismatchLog;
using test::RefLayout;
using test::RefRounder;

constexpr std::uint32_t kRandomSeed = 20240611;
// Random fp32 bit patterns per format and policy (NaN ones included).
constexpr int kRandomFp32PatternCount = 1 << 16;
// Random doubles ±(1 + f) × 2^k with k from below the smallest subnormal to above the largest value.
constexpr int kRandomNearRangeCount = 1 << 16;

struct RoundingCase {
  RefLayout layout;
  Overflow overflow;
};

void PrintTo(const RoundingCase& c, std::ostream* os) {
  *os << c.layout.name << (c.overflow == Overflow::saturate ? " saturate" : " to_inf_or_nan");
}

std::string case_name(const ::testing::TestParamInfo<RoundingCase>& info) {
  return std::string(info.param.layout.name) +
         (info.param.overflow == Overflow::saturate ? "_saturate" : "_to_inf_or_nan");
}

class EncodeMatchesReference : public ::testing::TestWithParam<RoundingCase> {
 protected:
  EncodeMatchesReference() : spec_(format_spec(GetParam().layout.name)), ref_(GetParam().layout) {}

  Overflow overflow() const { return GetParam().overflow; }
  int digits() const { return (GetParam().layout.total_bits() + 3) / 4; }

  // Both signs of x, through encode(double); when x is a float, also through encode_fp32_bits.
  void check(double x, MismatchLog& log) const {
    for (const double v : {x, -x}) {
      const std::uint32_t want = ref_.encode(v, overflow());
      const std::uint32_t got = encode(spec_, v, overflow());
      log.check(got == want, [&] {
        return "encode(" + describe_double(v) + ") = " + hex(got, digits()) + ", reference " + hex(want, digits());
      });
      const auto f = static_cast<float>(v);
      if (static_cast<double>(f) == v) {
        const std::uint32_t got32 = encode_fp32_bits(spec_, test::float_to_bits(f), overflow());
        log.check(got32 == want, [&] {
          return "encode_fp32_bits(" + test::describe_float(f) + ") = " + hex(got32, digits()) + ", reference " +
                 hex(want, digits());
        });
      }
    }
  }

  // x and its two double neighbours.
  void check_with_neighbours(double x, MismatchLog& log) const {
    check(x, log);
    check(std::nextafter(x, 0.0), log);
    check(std::nextafter(x, INFINITY), log);
  }

  FormatSpec spec_;
  RefRounder ref_;
};

TEST_P(EncodeMatchesReference, on_random_fp32_bit_patterns) {
  std::mt19937 rng(kRandomSeed);
  MismatchLog log;
  for (int i = 0; i < kRandomFp32PatternCount; ++i) {
    const float f = test::bits_to_float(static_cast<std::uint32_t>(rng()));
    if (std::isnan(f)) continue;  // NaN has its own tests; x and -x are both checked
    check(static_cast<double>(f), log);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(EncodeMatchesReference, on_random_doubles_near_the_range) {
  const RefLayout& l = GetParam().layout;
  const int min_subnormal_exp = 1 - l.bias() - l.mantissa_bits;
  const int max_exp = l.bias() + 2;  // beyond every format's largest binade
  std::mt19937_64 rng(kRandomSeed);
  std::uniform_int_distribution<int> exponent(min_subnormal_exp - 4, max_exp);
  std::uniform_real_distribution<double> fraction(1.0, 2.0);
  MismatchLog log;
  for (int i = 0; i < kRandomNearRangeCount; ++i) {
    check(std::ldexp(fraction(rng), exponent(rng)), log);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(EncodeMatchesReference, on_every_midpoint_and_its_neighbours) {
  const std::vector<double> values = ref_.finite_values();
  MismatchLog log;
  for (std::size_t i = 0; i + 1 < values.size(); ++i) {
    check(values[i], log);  // the representable values themselves
    const double mid = (values[i] + values[i + 1]) / 2;  // exact tie
    check_with_neighbours(mid, log);
    // The float neighbours of the tie: the closest inputs the fp32 path can see.
    const auto fmid = static_cast<float>(mid);
    check(static_cast<double>(std::nextafter(fmid, 0.0f)), log);
    check(static_cast<double>(std::nextafter(fmid, INFINITY)), log);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(EncodeMatchesReference, at_subnormal_boundaries) {
  const RefLayout& l = GetParam().layout;
  const double min_subnormal = std::ldexp(1.0, 1 - l.bias() - l.mantissa_bits);
  const double min_normal = std::ldexp(1.0, 1 - l.bias());
  const double max_subnormal = min_normal - min_subnormal;
  MismatchLog log;
  for (const double x : {0.0, min_subnormal, min_subnormal / 2, min_subnormal / 4, 3 * min_subnormal / 2,
                         min_normal, max_subnormal, (max_subnormal + min_normal) / 2, min_normal + min_subnormal,
                         std::numeric_limits<double>::denorm_min(), static_cast<double>(FLT_TRUE_MIN), 1e-300}) {
    check_with_neighbours(x, log);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(EncodeMatchesReference, at_the_overflow_threshold) {
  const double max = ref_.max_finite();
  const double threshold = ref_.overflow_midpoint();  // max + ulp/2 of the top binade
  const double next_binade = 2 * threshold - max;     // max + ulp
  MismatchLog log;
  for (const double x : {max, threshold, next_binade, (threshold + next_binade) / 2, 2 * max, 1e30, 1e300,
                         std::numeric_limits<double>::max(), static_cast<double>(FLT_MAX)}) {
    check_with_neighbours(x, log);
  }
  check(INFINITY, log);
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(EncodeMatchesReference, nan_becomes_the_quiet_nan_with_its_sign) {
  const FormatSpec s = spec_;
  for (const bool negative : {false, true}) {
    const double input = negative ? -std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::quiet_NaN();
    const std::uint32_t got = encode(s, input, overflow());
    EXPECT_EQ(got, ref_.quiet_nan(negative)) << "encode(" << describe_double(input) << ") = " << hex(got, digits());
    EXPECT_EQ(classify(s, got), ValueClass::nan) << hex(got, digits());
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, EncodeMatchesReference,
                         ::testing::Values(RoundingCase{test::kRefFp16, Overflow::saturate},
                                           RoundingCase{test::kRefFp16, Overflow::to_inf_or_nan},
                                           RoundingCase{test::kRefBf16, Overflow::saturate},
                                           RoundingCase{test::kRefBf16, Overflow::to_inf_or_nan},
                                           RoundingCase{test::kRefFp8E4M3, Overflow::saturate},
                                           RoundingCase{test::kRefFp8E4M3, Overflow::to_inf_or_nan},
                                           RoundingCase{test::kRefFp8E5M2, Overflow::saturate},
                                           RoundingCase{test::kRefFp8E5M2, Overflow::to_inf_or_nan}),
                         case_name);

}  // namespace
}  // namespace quantlab::formats
