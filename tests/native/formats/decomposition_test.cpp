// describe_pattern / describe_value: the fields agree with the pattern, the
// error and the overflow flag follow their definitions, and the rounding
// explanation names ties exactly at midpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "quantlab/formats/codec.h"
#include "quantlab/formats/decomposition.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"
#include "support/float_format_reference.h"
#include "support/mismatch_log.h"

namespace quantlab::formats {
namespace {

using test::describe_double;
using test::hex;
using test::MismatchLog;
using test::RefClass;
using test::RefLayout;
using test::same_double;

constexpr std::uint32_t kRandomSeed = 20240611;
// Random values per format and overflow policy for describe_value.
constexpr int kDescribeValueSampleCount = 1 << 8;

std::string binary(std::uint32_t v, int width) {
  std::string s;
  for (int i = width - 1; i >= 0; --i) s.push_back(((v >> i) & 1u) ? '1' : '0');
  return s;
}

const WalkthroughStep* find_step(const Decomposition& d, const std::string& id) {
  for (const WalkthroughStep& s : d.steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

// The fields that depend only on the pattern; returns "" or what is wrong.
std::string check_pattern_fields(const RefLayout& l, const Decomposition& d) {
  const std::uint32_t p = d.pattern;
  const int m = l.mantissa_bits;
  const std::uint32_t field = (p >> m) & l.exponent_all_ones();
  const RefClass c = test::ref_classify(l, p);
  const std::string want_bits = binary(p, l.total_bits());
  std::string bad;
  if (d.format != l.name) bad += " format=" + d.format;
  if (d.bits != want_bits) bad += " bits=" + d.bits;
  if (d.bits != std::to_string(d.sign) + d.exponent_bits + d.mantissa_bits) bad += " bits!=sign+exponent+mantissa";
  if (d.exponent_bits != want_bits.substr(1, static_cast<std::size_t>(l.exponent_bits))) bad += " exponent_bits=" + d.exponent_bits;
  if (d.mantissa_bits != want_bits.substr(static_cast<std::size_t>(1 + l.exponent_bits))) bad += " mantissa_bits=" + d.mantissa_bits;
  if (d.sign != static_cast<int>(p >> (l.total_bits() - 1))) bad += " sign=" + std::to_string(d.sign);
  if (d.hex != hex(p, (l.total_bits() + 3) / 4)) bad += " hex=" + d.hex;
  if (!same_double(d.stored_value, test::ref_decode(l, p))) bad += " stored_value=" + describe_double(d.stored_value);
  std::optional<int> want_exponent;
  if (c == RefClass::normal) want_exponent = static_cast<int>(field) - l.bias();
  if (c == RefClass::subnormal) want_exponent = 1 - l.bias();
  if (d.exponent != want_exponent) bad += " exponent=" + (d.exponent ? std::to_string(*d.exponent) : "none");
  if (c != RefClass::nan && c != RefClass::infinity) {
    // Spacing to the next larger magnitude: the neighbour's value minus this
    // one; the largest finite value shares its binade's spacing.
    const std::uint32_t mag = p & ~l.sign_mask();
    const RefClass next = test::ref_classify(l, mag + 1);
    const double ulp = (next == RefClass::nan || next == RefClass::infinity)
                           ? test::ref_decode(l, mag) - test::ref_decode(l, mag - 1)
                           : test::ref_decode(l, mag + 1) - test::ref_decode(l, mag);
    if (d.ulp != ulp) bad += " ulp=" + describe_double(d.ulp) + " want " + describe_double(ulp);
  }
  return bad;
}

// ----------------------------------------------------------------------------
// describe_pattern
// ----------------------------------------------------------------------------

class DescribePattern : public ::testing::TestWithParam<RefLayout> {};

TEST_P(DescribePattern, fields_match_every_pattern) {
  const RefLayout& l = GetParam();
  const FormatSpec s = format_spec(l.name);
  MismatchLog log;
  for (std::uint32_t p = 0; p < l.pattern_count(); ++p) {
    const Decomposition d = describe_pattern(s, p);
    std::string bad = check_pattern_fields(l, d);
    if (d.pattern != p) bad += " pattern=" + hex(d.pattern);
    if (d.value_class != classify(s, p)) bad += std::string(" class=") + to_string(d.value_class);
    if (!same_double(d.input, d.stored_value)) bad += " input=" + describe_double(d.input);
    if (d.error != 0.0) bad += " error=" + describe_double(d.error);
    if (d.overflowed) bad += " overflowed";
    log.check(bad.empty(), [&] { return hex(p, 4) + ":" + bad; });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

INSTANTIATE_TEST_SUITE_P(Formats, DescribePattern,
                         ::testing::Values(test::kRefFp16, test::kRefFp8E4M3, test::kRefFp8E5M2),
                         [](const ::testing::TestParamInfo<RefLayout>& info) { return std::string(info.param.name); });

// ----------------------------------------------------------------------------
// describe_value
// ----------------------------------------------------------------------------

struct DescribeCase {
  RefLayout layout;
  Overflow overflow;
};

void PrintTo(const DescribeCase& c, std::ostream* os) {
  *os << c.layout.name << (c.overflow == Overflow::saturate ? " saturate" : " to_inf_or_nan");
}

class DescribeValue : public ::testing::TestWithParam<DescribeCase> {};

TEST_P(DescribeValue, pattern_error_and_overflow_flag_follow_their_definitions) {
  const RefLayout& l = GetParam().layout;
  const Overflow overflow = GetParam().overflow;
  const FormatSpec s = format_spec(l.name);
  const test::RefRounder ref(l);
  const double max_finite = ref.max_finite();

  std::vector<double> inputs = {0.0, -0.0, INFINITY, -INFINITY, std::numeric_limits<double>::quiet_NaN(),
                                -std::numeric_limits<double>::quiet_NaN(), max_finite, ref.overflow_midpoint(),
                                std::nextafter(max_finite, INFINITY), std::nextafter(ref.overflow_midpoint(), 0.0),
                                1e300, 5e-324, 1.0 / 3.0, 85.125};
  std::mt19937_64 rng(kRandomSeed);
  std::uniform_int_distribution<int> exponent(-l.bias() - l.mantissa_bits - 3, l.bias() + 2);
  std::uniform_real_distribution<double> fraction(1.0, 2.0);
  for (int i = 0; i < kDescribeValueSampleCount; ++i) {
    const double x = std::ldexp(fraction(rng), exponent(rng));
    inputs.push_back((rng() & 1u) ? -x : x);
  }

  MismatchLog log;
  for (const double x : inputs) {
    const Decomposition d = describe_value(s, x, overflow);
    std::string bad = check_pattern_fields(l, d);
    const std::uint32_t want_pattern = ref.encode(x, overflow);
    if (d.pattern != want_pattern) bad += " pattern=" + hex(d.pattern) + " want " + hex(want_pattern);
    if (!same_double(d.input, x)) bad += " input=" + describe_double(d.input);
    // error = stored - input, except NaN → NaN and ±Inf → ±Inf, which are exact.
    const bool exact_special = (std::isnan(x) && std::isnan(d.stored_value)) || (std::isinf(x) && x == d.stored_value);
    const double want_error = exact_special ? 0.0 : d.stored_value - x;
    if (!same_double(d.error, want_error)) bad += " error=" + describe_double(d.error);
    // Overflowed: a finite input beyond max_finite, or an infinite one that saturated.
    const bool want_overflowed =
        std::isfinite(x) ? std::fabs(x) > max_finite : std::isinf(x) && std::isfinite(d.stored_value);
    if (d.overflowed != want_overflowed) bad += std::string(" overflowed=") + (d.overflowed ? "true" : "false");
    log.check(bad.empty(), [&] { return "describe_value(" + describe_double(x) + "):" + bad; });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

INSTANTIATE_TEST_SUITE_P(Formats, DescribeValue,
                         ::testing::Values(DescribeCase{test::kRefFp16, Overflow::saturate},
                                           DescribeCase{test::kRefBf16, Overflow::saturate},
                                           DescribeCase{test::kRefFp8E4M3, Overflow::saturate},
                                           DescribeCase{test::kRefFp8E4M3, Overflow::to_inf_or_nan},
                                           DescribeCase{test::kRefFp8E5M2, Overflow::saturate},
                                           DescribeCase{test::kRefFp8E5M2, Overflow::to_inf_or_nan}),
                         [](const ::testing::TestParamInfo<DescribeCase>& info) {
                           return std::string(info.param.layout.name) +
                                  (info.param.overflow == Overflow::saturate ? "_saturate" : "_to_inf_or_nan");
                         });

// ----------------------------------------------------------------------------
// The rounding explanation
// ----------------------------------------------------------------------------

struct TieCase {
  RefLayout layout;
  std::size_t stride;  // every stride-th pair of neighbours (describe_value takes ~100 µs)
};

void PrintTo(const TieCase& c, std::ostream* os) { *os << c.layout.name << " every " << c.stride << "th midpoint"; }

class RoundingExplanation : public ::testing::TestWithParam<TieCase> {};

TEST_P(RoundingExplanation, names_a_tie_exactly_at_midpoints_and_the_direction_taken) {
  const RefLayout& l = GetParam().layout;
  const FormatSpec s = format_spec(l.name);
  const std::vector<double> values = test::RefRounder(l).finite_values();
  MismatchLog log;
  for (std::size_t i = 0; i + 1 < values.size(); i += GetParam().stride) {
    const double mid = (values[i] + values[i + 1]) / 2;
    for (const double x : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY)}) {
      const Decomposition d = describe_value(s, x);
      const WalkthroughStep* step = find_step(d, "mantissa");
      if (step == nullptr) {
        log.check(false, [&] { return "describe_value(" + describe_double(x) + ") has no mantissa step"; });
        continue;
      }
      const bool says_tie = step->detail.find("a tie") != std::string::npos;
      log.check(says_tie == (x == mid), [&] {
        return "describe_value(" + describe_double(x) + ") mantissa step: \"" + step->detail + "\"";
      });
      if (x == mid && says_tie) {
        const bool went_up = d.stored_value == values[i + 1];
        const bool says_up = step->detail.find("(up)") != std::string::npos;
        log.check(says_up == went_up, [&] {
          return "describe_value(" + describe_double(x) + ") stored " + describe_double(d.stored_value) + ": \"" +
                 step->detail + "\"";
        });
      }
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundingExplanation,
                         ::testing::Values(TieCase{test::kRefFp16, 127}, TieCase{test::kRefBf16, 251},
                                           TieCase{test::kRefFp8E4M3, 1}, TieCase{test::kRefFp8E5M2, 1}),
                         [](const ::testing::TestParamInfo<TieCase>& info) { return std::string(info.param.layout.name); });

// ----------------------------------------------------------------------------
// Integers
// ----------------------------------------------------------------------------

TEST(IntegerDescribe, fields_of_a_negative_int8) {
  const Decomposition d = describe_value(format_spec("int8"), -3.0);
  EXPECT_EQ(d.pattern, 0xfdu);
  EXPECT_EQ(d.bits, "11111101");
  EXPECT_EQ(d.hex, "0xfd");
  EXPECT_EQ(d.sign, 1);
  EXPECT_EQ(d.exponent_bits, "");
  EXPECT_EQ(d.mantissa_bits, "");
  EXPECT_FALSE(d.exponent.has_value());
  EXPECT_EQ(d.value_class, ValueClass::integer);
  EXPECT_EQ(d.stored_value, -3.0);
  EXPECT_EQ(d.error, 0.0);
  EXPECT_EQ(d.ulp, 1.0);
  EXPECT_FALSE(d.overflowed);
}

TEST(IntegerDescribe, error_is_stored_minus_input_and_clamping_sets_overflowed) {
  for (const char* name : {"int8", "uint8", "int4", "uint4", "int16"}) {
    const FormatSpec s = format_spec(name);
    const FormatLimits lim = format_limits(s);
    for (const double x : {2.5, -2.5, 0.4, lim.max_finite, lim.max_finite + 0.4, lim.max_finite + 1, 1e9,
                           lim.lowest, lim.lowest - 0.4, lim.lowest - 1, -1e9}) {
      const Decomposition d = describe_value(s, x);
      EXPECT_EQ(d.error, d.stored_value - x) << name << " " << describe_double(x);
      // Clamped exactly when nearest-even rounding lands outside [qmin, qmax].
      const double rounded = std::nearbyint(x);
      const bool clamped = rounded > lim.max_finite || rounded < lim.lowest;
      EXPECT_EQ(d.overflowed, clamped) << name << " " << describe_double(x);
    }
  }
}

TEST(IntegerDescribe, qmax_plus_half_is_clamped_and_flagged_overflowed) {
  // qmax is odd for every width, so qmax + 0.5 ties to the even qmax + 1,
  // which is out of range and clamped back to qmax: that is an overflow, and
  // the walkthrough's own "clamp" step says the value saturates.
  for (const char* name : {"int8", "uint8", "int4", "uint4", "int16", "uint16"}) {
    const FormatSpec s = format_spec(name);
    const double x = format_limits(s).max_finite + 0.5;
    const Decomposition d = describe_value(s, x);
    EXPECT_EQ(d.stored_value, format_limits(s).max_finite) << name;
    const WalkthroughStep* clamp = find_step(d, "clamp");
    ASSERT_NE(clamp, nullptr) << name;
    EXPECT_NE(clamp->detail.find("saturates"), std::string::npos) << name << ": " << clamp->detail;
    EXPECT_TRUE(d.overflowed) << name << " describe_value(" << describe_double(x) << ") clamps to "
                              << d.stored_value << " but overflowed is false";
  }
}

}  // namespace
}  // namespace quantlab::formats
