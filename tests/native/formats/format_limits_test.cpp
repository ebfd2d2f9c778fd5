// format_spec() parameters and format_limits() of every format, from the
// format definitions (values written out, not derived with the code's formulas).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "quantlab/formats/format_spec.h"

namespace quantlab::formats {
namespace {

struct ExpectedFloat {
  const char* name;
  int total_bits, exponent_bits, mantissa_bits, bias;
  SpecialValues specials;
  FormatLimits limits;
};

// max_finite, lowest, min_normal, min_subnormal, epsilon, min_exponent, max_exponent
const ExpectedFloat kFloats[] = {
    {"fp32", 32, 8, 23, 127, SpecialValues::ieee,
     {FLT_MAX, -FLT_MAX, FLT_MIN, std::ldexp(1.0, -149), FLT_EPSILON, -126, 127}},
    {"fp16", 16, 5, 10, 15, SpecialValues::ieee,
     {65504.0, -65504.0, std::ldexp(1.0, -14), std::ldexp(1.0, -24), std::ldexp(1.0, -10), -14, 15}},
    {"bf16", 16, 8, 7, 127, SpecialValues::ieee,
     {std::ldexp(255.0, 120), -std::ldexp(255.0, 120), std::ldexp(1.0, -126), std::ldexp(1.0, -133),
      std::ldexp(1.0, -7), -126, 127}},
    {"fp8_e4m3", 8, 4, 3, 7, SpecialValues::fn_nan,
     {448.0, -448.0, std::ldexp(1.0, -6), std::ldexp(1.0, -9), 0.125, -6, 8}},
    {"fp8_e5m2", 8, 5, 2, 15, SpecialValues::ieee,
     {57344.0, -57344.0, std::ldexp(1.0, -14), std::ldexp(1.0, -16), 0.25, -14, 15}},
};

void expect_limits(const std::string& name, const FormatLimits& got, const FormatLimits& want) {
  EXPECT_EQ(got.max_finite, want.max_finite) << name;
  EXPECT_EQ(got.lowest, want.lowest) << name;
  EXPECT_EQ(got.min_normal, want.min_normal) << name;
  EXPECT_EQ(got.min_subnormal, want.min_subnormal) << name;
  EXPECT_EQ(got.epsilon, want.epsilon) << name;
  EXPECT_EQ(got.min_exponent, want.min_exponent) << name;
  EXPECT_EQ(got.max_exponent, want.max_exponent) << name;
}

TEST(FormatSpec, float_formats_have_their_published_layouts) {
  for (const ExpectedFloat& f : kFloats) {
    const FormatSpec s = format_spec(f.name);
    EXPECT_EQ(s.name, f.name);
    EXPECT_EQ(s.kind, Kind::floating) << f.name;
    EXPECT_EQ(s.total_bits, f.total_bits) << f.name;
    EXPECT_EQ(s.exponent_bits, f.exponent_bits) << f.name;
    EXPECT_EQ(s.mantissa_bits, f.mantissa_bits) << f.name;
    EXPECT_EQ(s.bias, f.bias) << f.name;
    EXPECT_EQ(s.specials, f.specials) << f.name;
    EXPECT_TRUE(s.is_signed) << f.name;
  }
}

TEST(FormatSpec, float_format_names_lists_every_float_widest_first) {
  const std::vector<std::string> want = {"fp32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2"};
  EXPECT_EQ(float_format_names(), want);
}

TEST(FormatLimits, float_formats_match_the_published_values) {
  for (const ExpectedFloat& f : kFloats) expect_limits(f.name, format_limits(format_spec(f.name)), f.limits);
}

TEST(FormatLimits, integer_formats_are_two_complement_or_unsigned_ranges) {
  struct Case {
    const char* name;
    double qmin, qmax;
  };
  const Case cases[] = {{"int2", -2, 1},   {"int4", -8, 7},     {"int8", -128, 127}, {"int16", -32768, 32767},
                        {"uint2", 0, 3},   {"uint4", 0, 15},    {"uint8", 0, 255},   {"uint16", 0, 65535},
                        {"int3", -4, 3},   {"uint7", 0, 127}};
  for (const Case& c : cases) {
    const FormatSpec s = format_spec(c.name);
    EXPECT_EQ(s.kind, Kind::integer) << c.name;
    EXPECT_EQ(s.exponent_bits, 0) << c.name;
    EXPECT_EQ(s.mantissa_bits, 0) << c.name;
    EXPECT_EQ(s.is_signed, c.name[0] == 'i') << c.name;
    expect_limits(c.name, format_limits(s), {c.qmax, c.qmin, 1.0, 1.0, 1.0, 0, 0});
  }
}

TEST(FormatSpec, every_integer_width_from_2_to_16_exists) {
  for (int n = 2; n <= 16; ++n) {
    for (const std::string prefix : {"int", "uint"}) {
      const FormatSpec s = format_spec(prefix + std::to_string(n));
      EXPECT_EQ(s.total_bits, n) << prefix << n;
      EXPECT_EQ(s.name, prefix + std::to_string(n));
    }
  }
}

}  // namespace
}  // namespace quantlab::formats
