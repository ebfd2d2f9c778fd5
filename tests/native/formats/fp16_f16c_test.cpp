// fp16 against the x86 F16C instructions (VCVTPS2PH / VCVTPH2PS): hardware is
// the reference for rounding and for NaN payloads. Skipped where F16C is
// missing, and not compiled at all for wasm32.
#include <gtest/gtest.h>

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"
#include "support/mismatch_log.h"

namespace quantlab::formats {
namespace {

using test::hex;
using test::MismatchLog;

constexpr std::uint32_t kRandomSeed = 20240611;
// A prime stride through all 2^32 fp32 patterns: ~17M conversions, every
// exponent, both signs, NaNs included.
constexpr std::uint64_t kFp32PatternStride = 251;
// Random NaN inputs on top of the systematic payload sweep.
constexpr int kRandomNanCount = 1 << 16;

__attribute__((target("f16c"))) std::uint16_t f16c_from_fp32(float f) {
  return static_cast<std::uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

__attribute__((target("f16c"))) float f16c_to_fp32(std::uint16_t h) { return _cvtsh_ss(h); }

bool has_f16c() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("f16c");
}

#define SKIP_WITHOUT_F16C() \
  if (!has_f16c()) GTEST_SKIP() << "this CPU has no F16C"

TEST(Fp16Encode, matches_f16c_on_strided_fp32_patterns) {
  SKIP_WITHOUT_F16C();
  const FormatSpec s = format_spec("fp16");
  MismatchLog log;
  for (std::uint64_t p64 = 0; p64 <= 0xffffffffu; p64 += kFp32PatternStride) {
    const auto bits = static_cast<std::uint32_t>(p64);
    const std::uint32_t want = f16c_from_fp32(test::bits_to_float(bits));
    const std::uint32_t got = encode_fp32_bits(s, bits);
    log.check(got == want, [&] {
      return "fp32 " + test::describe_float(test::bits_to_float(bits)) + ": encode_fp32_bits " + hex(got, 4) +
             ", F16C " + hex(want, 4);
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(Fp16Encode, matches_f16c_at_every_fp16_midpoint_and_its_float_neighbours) {
  SKIP_WITHOUT_F16C();
  const FormatSpec s = format_spec("fp16");
  MismatchLog log;
  for (std::uint32_t p = 0; p < 0x7c00u; ++p) {  // +0 up to the largest finite, then the Inf step
    const double mid = (decode(s, p) + (p + 1 == 0x7c00u ? 65536.0 : decode(s, p + 1))) / 2;
    const auto f = static_cast<float>(mid);  // exact: fp16 midpoints need 12 bits
    for (const float x : {f, std::nextafter(f, 0.0f), std::nextafter(f, INFINITY), -f}) {
      const std::uint32_t bits = test::float_to_bits(x);
      const std::uint32_t want = f16c_from_fp32(x);
      const std::uint32_t got = encode_fp32_bits(s, bits);
      log.check(got == want, [&] {
        return "fp32 " + test::describe_float(x) + ": encode_fp32_bits " + hex(got, 4) + ", F16C " + hex(want, 4);
      });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(Fp16Encode, nan_payloads_match_f16c) {
  // F16C keeps the sign, sets the quiet bit and keeps the top 10 payload bits.
  SKIP_WITHOUT_F16C();
  const FormatSpec s = format_spec("fp16");
  std::mt19937 rng(kRandomSeed);
  MismatchLog log;
  auto check = [&](std::uint32_t bits) {
    const std::uint32_t want = f16c_from_fp32(test::bits_to_float(bits));
    const std::uint32_t got = encode_fp32_bits(s, bits);
    log.check(got == want, [&] {
      return "fp32 NaN " + hex(bits, 8) + ": encode_fp32_bits " + hex(got, 4) + ", F16C " + hex(want, 4);
    });
  };
  for (const std::uint32_t sign : {0u, 0x80000000u}) {
    for (std::uint32_t top10 = 0; top10 < 1024; ++top10) {
      for (const std::uint32_t low13 : {0x0000u, 0x0001u, 0x1000u, 0x1fffu}) {
        const std::uint32_t payload = (top10 << 13) | low13;
        if (payload != 0) check(sign | 0x7f800000u | payload);  // payload 0 is Inf
      }
    }
  }
  for (int i = 0; i < kRandomNanCount; ++i) {
    const std::uint32_t payload = (static_cast<std::uint32_t>(rng()) & 0x007fffffu) | 1u;
    check((static_cast<std::uint32_t>(rng()) & 0x80000000u) | 0x7f800000u | payload);
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(Fp16Decode, matches_f16c_for_every_pattern) {
  SKIP_WITHOUT_F16C();
  const FormatSpec s = format_spec("fp16");
  MismatchLog log;
  for (std::uint32_t p = 0; p < 0x10000u; ++p) {
    const float want = f16c_to_fp32(static_cast<std::uint16_t>(p));
    const double got = decode(s, p);
    const bool ok = std::isnan(want) ? std::isnan(got) && std::signbit(got) == std::signbit(want)
                                     : test::same_double(got, static_cast<double>(want));
    log.check(ok, [&] {
      return "pattern " + hex(p, 4) + ": decode " + test::describe_double(got) + ", F16C " +
             test::describe_float(want);
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

}  // namespace
}  // namespace quantlab::formats

#endif  // x86
