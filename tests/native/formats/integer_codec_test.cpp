// int2..int16 and uint2..uint16: round half to even, clamp to [qmin, qmax],
// two's complement patterns, and NaN/Inf rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"
#include "support/mismatch_log.h"

namespace quantlab::formats {
namespace {

using test::describe_double;
using test::hex;
using test::MismatchLog;

constexpr std::uint32_t kRandomSeed = 20240611;
// Random inputs per integer format, spread a little past both ends of its range.
constexpr int kRandomValueCount = 1 << 13;

std::vector<std::string> integer_format_names() {
  std::vector<std::string> names;
  for (int n = 2; n <= 16; ++n) {
    names.push_back("int" + std::to_string(n));
    names.push_back("uint" + std::to_string(n));
  }
  return names;
}

// The reference: the FPU's nearbyint in its default mode (round to nearest,
// ties to even), then clamp, then the low n bits of the two's complement.
std::uint32_t reference_encode(int bits, bool is_signed, double x) {
  const double qmin = is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
  const double qmax = is_signed ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
  double q = std::nearbyint(x);
  if (q < qmin) q = qmin;
  if (q > qmax) q = qmax;
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(q)) & ((1u << bits) - 1);
}

// The reference decode: the top bit weighs -2^(n-1) when signed.
double reference_decode(int bits, bool is_signed, std::uint32_t p) {
  double v = 0;
  for (int i = 0; i < bits; ++i) {
    if ((p >> i) & 1u) v += (is_signed && i == bits - 1) ? -std::ldexp(1.0, i) : std::ldexp(1.0, i);
  }
  return v;
}

class IntegerFormat : public ::testing::TestWithParam<std::string> {
 protected:
  FormatSpec spec() const { return format_spec(GetParam()); }
};

TEST_P(IntegerFormat, decode_gives_the_twos_complement_value_of_every_pattern) {
  const FormatSpec s = spec();
  MismatchLog log;
  for (std::uint32_t p = 0; p < (1u << s.total_bits); ++p) {
    const double want = reference_decode(s.total_bits, s.is_signed, p);
    const double got = decode(s, p);
    log.check(got == want, [&] { return hex(p) + ": decode " + describe_double(got) + ", want " + describe_double(want); });
    log.check(encode(s, got) == p, [&] { return hex(p) + ": encode(decode) = " + hex(encode(s, got)); });
    const ValueClass c = classify(s, p);
    log.check(c == (p == 0 ? ValueClass::zero : ValueClass::integer),
              [&] { return hex(p) + ": classify " + to_string(c); });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(IntegerFormat, every_half_integer_in_range_rounds_to_even_and_clamps) {
  const FormatSpec s = spec();
  const FormatLimits lim = format_limits(s);
  MismatchLog log;
  for (double k = lim.lowest - 2; k <= lim.max_finite + 2; k += 1.0) {
    for (const double x : {k, k + 0.5, std::nextafter(k + 0.5, -1e9), std::nextafter(k + 0.5, 1e9)}) {
      const std::uint32_t want = reference_encode(s.total_bits, s.is_signed, x);
      const std::uint32_t got = encode(s, x);
      log.check(got == want, [&] { return "encode(" + describe_double(x) + ") = " + hex(got) + ", want " + hex(want); });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(IntegerFormat, random_values_match_nearbyint_then_clamp) {
  const FormatSpec s = spec();
  const FormatLimits lim = format_limits(s);
  const double span = lim.max_finite - lim.lowest;
  std::mt19937_64 rng(kRandomSeed);
  std::uniform_real_distribution<double> value(lim.lowest - span / 4, lim.max_finite + span / 4);
  MismatchLog log;
  for (int i = 0; i < kRandomValueCount; ++i) {
    const double x = value(rng);
    const std::uint32_t want = reference_encode(s.total_bits, s.is_signed, x);
    const std::uint32_t got = encode(s, x);
    log.check(got == want, [&] { return "encode(" + describe_double(x) + ") = " + hex(got) + ", want " + hex(want); });
  }
  for (const double x : {1e300, -1e300, std::numeric_limits<double>::max(), -0.0, 5e-324, -5e-324}) {
    const std::uint32_t want = reference_encode(s.total_bits, s.is_signed, x);
    log.check(encode(s, x) == want, [&] { return "encode(" + describe_double(x) + ") = " + hex(encode(s, x)); });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(IntegerFormat, nan_and_infinity_throw_invalid_argument) {
  const FormatSpec s = spec();
  for (const double x : {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    try {
      encode(s, x);
      ADD_FAILURE() << GetParam() << ": encode(" << describe_double(x) << ") did not throw";
    } catch (const InvalidArgument& e) {
      EXPECT_STRNE(e.what(), "") << GetParam();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, IntegerFormat, ::testing::ValuesIn(integer_format_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(IntegerEncode, rounds_half_to_even) {
  const FormatSpec s = format_spec("int8");
  EXPECT_EQ(encode(s, 2.5), 2u);
  EXPECT_EQ(encode(s, 3.5), 4u);
  EXPECT_EQ(encode(s, 0.5), 0u);
  EXPECT_EQ(encode(s, 1.5), 2u);
  EXPECT_EQ(encode(s, -2.5), 0xfeu) << "-2";
  EXPECT_EQ(encode(s, -3.5), 0xfcu) << "-4";
  EXPECT_EQ(encode(s, -0.5), 0x00u) << "-0 is the integer 0";
  EXPECT_EQ(encode(s, 2.5000000000000004), 3u) << "just above the tie";
}

TEST(IntegerEncode, clamps_to_the_range) {
  EXPECT_EQ(encode(format_spec("int8"), 300.0), 0x7fu);
  EXPECT_EQ(encode(format_spec("int8"), -300.0), 0x80u);
  EXPECT_EQ(encode(format_spec("int8"), 127.5), 0x7fu) << "127.5 ties to 128, clamped";
  EXPECT_EQ(encode(format_spec("int8"), -128.5), 0x80u) << "-128.5 ties to -128";
  EXPECT_EQ(encode(format_spec("uint8"), -1.0), 0x00u);
  EXPECT_EQ(encode(format_spec("uint8"), 256.0), 0xffu);
  EXPECT_EQ(encode(format_spec("uint4"), 99.0), 0xfu);
  EXPECT_EQ(encode(format_spec("int4"), 7.5), 0x7u);
  EXPECT_EQ(encode(format_spec("int16"), 40000.0), 0x7fffu);
  EXPECT_EQ(encode(format_spec("int16"), -40000.0), 0x8000u);
}

TEST(IntegerEncode, negative_values_are_twos_complement_in_total_bits) {
  EXPECT_EQ(encode(format_spec("int8"), -1.0), 0xffu);
  EXPECT_EQ(encode(format_spec("int4"), -8.0), 0x8u);
  EXPECT_EQ(encode(format_spec("int4"), -1.0), 0xfu);
  EXPECT_EQ(encode(format_spec("int16"), -1.0), 0xffffu);
  EXPECT_EQ(encode(format_spec("int2"), -2.0), 0x2u);
  EXPECT_EQ(decode(format_spec("int8"), 0x80), -128.0);
  EXPECT_EQ(decode(format_spec("int4"), 0x8), -8.0);
  EXPECT_EQ(decode(format_spec("uint4"), 0xf), 15.0);
}

}  // namespace
}  // namespace quantlab::formats
