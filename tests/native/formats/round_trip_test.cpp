// Every pattern of fp16, bf16, fp8 E4M3 and fp8 E5M2: decode, classify and
// encode(decode(p)) against the independent model in support/.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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
using test::RefClass;
using test::RefLayout;

// fp32 has 2^32 patterns; this prime stride visits ~1.4M of them, every
// exponent and sign included.
constexpr std::uint64_t kFp32PatternStride = 3001;

ValueClass to_value_class(RefClass c) {
  switch (c) {
    case RefClass::zero: return ValueClass::zero;
    case RefClass::subnormal: return ValueClass::subnormal;
    case RefClass::normal: return ValueClass::normal;
    case RefClass::infinity: return ValueClass::infinity;
    case RefClass::nan: return ValueClass::nan;
  }
  return ValueClass::integer;
}

class SmallFloatPatterns : public ::testing::TestWithParam<RefLayout> {
 protected:
  const RefLayout& layout() const { return GetParam(); }
  FormatSpec spec() const { return format_spec(GetParam().name); }
  int digits() const { return (GetParam().total_bits() + 3) / 4; }
};

TEST_P(SmallFloatPatterns, encode_of_decode_gives_back_every_non_nan_pattern) {
  const FormatSpec s = spec();
  MismatchLog log;
  for (std::uint32_t p = 0; p < layout().pattern_count(); ++p) {
    if (test::ref_classify(layout(), p) == RefClass::nan) continue;
    const double v = decode(s, p);
    for (const Overflow overflow : {Overflow::saturate, Overflow::to_inf_or_nan}) {
      // The one documented exception: fp8 with saturation turns ±Inf into
      // ±max_finite (ONNX Cast, saturate=1), so E5M2's Inf does not come back.
      const bool saturated = test::ref_classify(layout(), p) == RefClass::infinity &&
                             layout().follows_saturate() && overflow == Overflow::saturate;
      const std::uint32_t want =
          saturated ? (p & layout().sign_mask()) | test::RefRounder(layout()).max_finite_pattern() : p;
      const std::uint32_t back = encode(s, v, overflow);
      log.check(back == want, [&] {
        return "pattern " + hex(p, digits()) + " decodes to " + describe_double(v) + ", encodes to " +
               hex(back, digits()) + ", want " + hex(want, digits());
      });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(SmallFloatPatterns, encode_fp32_bits_of_decode_gives_back_every_non_nan_pattern) {
  // Every value of these formats is a float, so the fp32 path must round-trip
  // too (without saturation, so that Inf stays Inf).
  const FormatSpec s = spec();
  MismatchLog log;
  for (std::uint32_t p = 0; p < layout().pattern_count(); ++p) {
    if (test::ref_classify(layout(), p) == RefClass::nan) continue;
    const float f = static_cast<float>(decode(s, p));
    const std::uint32_t back = encode_fp32_bits(s, test::float_to_bits(f), Overflow::to_inf_or_nan);
    log.check(back == p, [&] {
      return "pattern " + hex(p, digits()) + " as fp32 " + test::describe_float(f) + " encodes to " +
             hex(back, digits());
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(SmallFloatPatterns, decode_matches_the_reference_value_of_every_pattern) {
  const FormatSpec s = spec();
  MismatchLog log;
  for (std::uint32_t p = 0; p < layout().pattern_count(); ++p) {
    const double got = decode(s, p);
    const double want = test::ref_decode(layout(), p);
    // Bit-exact for numbers (so -0 is checked); NaN must stay NaN with its sign.
    const bool ok = std::isnan(want) ? (std::isnan(got) && std::signbit(got) == std::signbit(want))
                                     : test::double_to_bits(got) == test::double_to_bits(want);
    log.check(ok, [&] {
      return "pattern " + hex(p, digits()) + ": decode " + describe_double(got) + ", reference " +
             describe_double(want);
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(SmallFloatPatterns, classify_matches_the_reference_classifier_for_every_pattern) {
  const FormatSpec s = spec();
  MismatchLog log;
  for (std::uint32_t p = 0; p < layout().pattern_count(); ++p) {
    const ValueClass got = classify(s, p);
    const ValueClass want = to_value_class(test::ref_classify(layout(), p));
    log.check(got == want, [&] {
      return "pattern " + hex(p, digits()) + ": classify " + to_string(got) + ", reference " + to_string(want);
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST_P(SmallFloatPatterns, nan_patterns_decode_to_nan_and_classify_as_nan) {
  const FormatSpec s = spec();
  int nan_patterns = 0;
  MismatchLog log;
  for (std::uint32_t p = 0; p < layout().pattern_count(); ++p) {
    if (test::ref_classify(layout(), p) != RefClass::nan) continue;
    ++nan_patterns;
    const double v = decode(s, p);
    log.check(std::isnan(v) && classify(s, p) == ValueClass::nan,
              [&] { return "pattern " + hex(p, digits()) + " decodes to " + describe_double(v); });
  }
  // IEEE layouts: all-ones exponent, mantissa != 0, both signs. E4M3FN: one per sign.
  const int expected = layout().has_infinity ? 2 * static_cast<int>(layout().mantissa_all_ones()) : 2;
  EXPECT_EQ(nan_patterns, expected);
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

INSTANTIATE_TEST_SUITE_P(Formats, SmallFloatPatterns,
                         ::testing::Values(test::kRefFp16, test::kRefBf16, test::kRefFp8E4M3, test::kRefFp8E5M2),
                         [](const ::testing::TestParamInfo<RefLayout>& info) { return std::string(info.param.name); });

TEST(Fp32Patterns, encode_of_decode_gives_back_strided_non_nan_patterns) {
  const FormatSpec s = format_spec("fp32");
  std::vector<std::uint32_t> patterns = {0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x00800000u,
                                         0x3f800000u, 0x7f7fffffu, 0xff7fffffu, 0x7f800000u, 0xff800000u};
  for (std::uint64_t p64 = 0; p64 <= 0xffffffffu; p64 += kFp32PatternStride) {
    patterns.push_back(static_cast<std::uint32_t>(p64));
  }
  MismatchLog log;
  for (const std::uint32_t p : patterns) {
    const float f = test::bits_to_float(p);
    if (std::isnan(f)) continue;
    const double v = decode(s, p);
    const std::uint32_t back = encode(s, v);
    log.check(test::same_double(v, static_cast<double>(f)) && back == p, [&] {
      return "pattern " + hex(p, 8) + " decodes to " + describe_double(v) + ", encodes to " + hex(back, 8);
    });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

}  // namespace
}  // namespace quantlab::formats
