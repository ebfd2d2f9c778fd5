// fp32: a float keeps its bits; a double rounds exactly as the hardware's
// double → float conversion (round to nearest even, overflow to ±Inf).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

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
constexpr int kRandomFloatCount = 1 << 18;
// Random doubles per family (random bits, float range, subnormal range, overflow range).
constexpr int kRandomDoubleCount = 1 << 16;
// Float ties: midpoints between random consecutive floats and their double neighbours.
constexpr int kRandomTieCount = 1 << 16;

// The hardware reference. Out-of-range doubles give ±Inf under IEEE 754
// (Annex F), which is what both GCC and Clang implement on x86-64 and wasm32.
std::uint32_t hardware_fp32_bits(double d) { return test::float_to_bits(static_cast<float>(d)); }

class Fp32Encode : public ::testing::Test {
 protected:
  void check_double(double d, MismatchLog& log) const {
    const std::uint32_t want = hardware_fp32_bits(d);
    const std::uint32_t got = encode(spec_, d);
    log.check(got == want, [&] {
      return "encode(" + describe_double(d) + ") = " + hex(got, 8) + ", static_cast<float> " + hex(want, 8);
    });
  }
  FormatSpec spec_ = format_spec("fp32");
};

TEST_F(Fp32Encode, random_floats_keep_their_bits) {
  std::mt19937 rng(kRandomSeed);
  MismatchLog log;
  for (int i = 0; i < kRandomFloatCount; ++i) {
    const auto bits = static_cast<std::uint32_t>(rng());
    const float f = test::bits_to_float(bits);
    if (std::isnan(f)) continue;
    const std::uint32_t got = encode(spec_, static_cast<double>(f));
    log.check(got == bits, [&] { return "encode(" + test::describe_float(f) + ") = " + hex(got, 8); });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_F(Fp32Encode, special_floats_keep_their_bits) {
  for (const std::uint32_t bits : {0x00000000u, 0x80000000u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u,
                                   0x7f7fffffu, 0xff7fffffu, 0x7f800000u, 0xff800000u, 0x3f800000u}) {
    EXPECT_EQ(encode(spec_, static_cast<double>(test::bits_to_float(bits))), bits) << hex(bits, 8);
  }
}

TEST_F(Fp32Encode, nan_becomes_the_quiet_nan_with_its_sign) {
  EXPECT_EQ(encode(spec_, std::numeric_limits<double>::quiet_NaN()), 0x7fc00000u);
  EXPECT_EQ(encode(spec_, -std::numeric_limits<double>::quiet_NaN()), 0xffc00000u);
}

TEST_F(Fp32Encode, encode_fp32_bits_is_the_identity_for_every_kind_of_pattern) {
  std::mt19937 rng(kRandomSeed);
  MismatchLog log;
  for (int i = 0; i < kRandomFloatCount; ++i) {
    const auto bits = static_cast<std::uint32_t>(rng());
    const std::uint32_t got = encode_fp32_bits(spec_, bits);
    log.check(got == bits, [&] { return "encode_fp32_bits(" + hex(bits, 8) + ") = " + hex(got, 8); });
  }
  for (const std::uint32_t nan : {0x7f800001u, 0x7fc00000u, 0xffbfffffu, 0x7fffffffu}) {
    log.check(encode_fp32_bits(spec_, nan) == nan, [&] { return "NaN " + hex(nan, 8) + " not kept"; });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_F(Fp32Encode, random_double_bit_patterns_round_like_the_hardware) {
  std::mt19937_64 rng(kRandomSeed);
  MismatchLog log;
  for (int i = 0; i < kRandomDoubleCount; ++i) {
    const double d = test::bits_to_double(rng());
    if (!std::isnan(d)) check_double(d, log);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_F(Fp32Encode, random_doubles_in_float_subnormal_normal_and_overflow_ranges_round_like_the_hardware) {
  std::mt19937_64 rng(kRandomSeed);
  std::uniform_real_distribution<double> fraction(1.0, 2.0);
  // [from, to] exponent ranges: below the smallest subnormal through the
  // subnormals, the normal range, and past FLT_MAX.
  const int ranges[][2] = {{-160, -126}, {-126, 127}, {126, 140}};
  MismatchLog log;
  for (const auto& r : ranges) {
    std::uniform_int_distribution<int> exponent(r[0], r[1]);
    for (int i = 0; i < kRandomDoubleCount; ++i) {
      const double d = std::ldexp(fraction(rng), exponent(rng));
      check_double(d, log);
      check_double(-d, log);
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_F(Fp32Encode, float_ties_and_their_neighbours_round_like_the_hardware) {
  std::mt19937 rng(kRandomSeed);
  MismatchLog log;
  for (int i = 0; i < kRandomTieCount; ++i) {
    const float f = std::fabs(test::bits_to_float(static_cast<std::uint32_t>(rng())));
    if (!std::isfinite(f)) continue;
    const float up = std::nextafter(f, INFINITY);
    // The midpoint is exact in double; for FLT_MAX it is the overflow threshold.
    const double next = std::isinf(up) ? std::ldexp(1.0, 128) : static_cast<double>(up);
    const double mid = (static_cast<double>(f) + next) / 2;
    for (const double d : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY)}) {
      check_double(d, log);
      check_double(-d, log);
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_F(Fp32Encode, boundaries_round_like_the_hardware) {
  const double min_subnormal = std::ldexp(1.0, -149);
  const double threshold = std::ldexp(2.0 - std::ldexp(1.0, -24), 127);  // FLT_MAX + ulp/2
  MismatchLog log;
  for (const double d : {min_subnormal, min_subnormal / 2, min_subnormal / 4, 1.5 * min_subnormal,
                         static_cast<double>(FLT_MIN), static_cast<double>(FLT_MAX), threshold, std::ldexp(1.0, 128),
                         std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(), 1e-300}) {
    for (const double x : {d, std::nextafter(d, 0.0), std::nextafter(d, INFINITY)}) {
      check_double(x, log);
      check_double(-x, log);
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
  EXPECT_EQ(encode(spec_, threshold), 0x7f800000u) << "FLT_MAX + ulp/2 ties to even: Inf";
  EXPECT_EQ(encode(spec_, std::nextafter(threshold, 0.0)), 0x7f7fffffu);
  EXPECT_EQ(encode(spec_, min_subnormal / 2), 0x00000000u) << "2^-150 ties to even: +0";
  EXPECT_EQ(encode(spec_, -min_subnormal / 2), 0x80000000u) << "-2^-150 ties to even: -0";
}

}  // namespace
}  // namespace quantlab::formats
