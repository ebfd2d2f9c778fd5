// Values every description of these formats gives: IEEE 754 binary16,
// bfloat16 and the OCP 8-bit float spec (E4M3FN, E5M2), with ONNX Cast's
// `saturate` for fp8 overflow.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"

namespace quantlab::formats {
namespace {

using test::hex;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ----------------------------------------------------------------------------
// fp16
// ----------------------------------------------------------------------------

TEST(Fp16, largest_finite_is_65504) {
  const FormatSpec s = format_spec("fp16");
  EXPECT_EQ(encode(s, 65504.0), 0x7bffu);
  EXPECT_EQ(decode(s, 0x7bff), 65504.0);
  EXPECT_EQ(encode(s, -65504.0), 0xfbffu);
}

TEST(Fp16, smallest_subnormal_is_2_pow_minus_24_and_smallest_normal_2_pow_minus_14) {
  const FormatSpec s = format_spec("fp16");
  EXPECT_EQ(encode(s, std::ldexp(1.0, -24)), 0x0001u);
  EXPECT_EQ(decode(s, 0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(classify(s, 0x0001), ValueClass::subnormal);
  EXPECT_EQ(encode(s, std::ldexp(1.0, -14)), 0x0400u);
  EXPECT_EQ(decode(s, 0x0400), std::ldexp(1.0, -14));
  EXPECT_EQ(classify(s, 0x0400), ValueClass::normal);
  EXPECT_EQ(decode(s, 0x03ff), std::ldexp(1023.0, -24)) << "largest subnormal";
}

TEST(Fp16, value_65520_ties_to_even_and_overflows_to_inf) {
  // 65520 is halfway between 65504 (mantissa all ones, odd) and 2^16 (Inf's place).
  const FormatSpec s = format_spec("fp16");
  for (const Overflow o : {Overflow::saturate, Overflow::to_inf_or_nan}) {
    EXPECT_EQ(encode(s, 65520.0, o), 0x7c00u) << "fp16 ignores the fp8 saturate policy";
    EXPECT_EQ(encode(s, -65520.0, o), 0xfc00u);
    EXPECT_EQ(encode(s, 65519.0, o), 0x7bffu) << "below the midpoint rounds down to 65504";
    EXPECT_EQ(encode(s, std::nextafter(65520.0, 0.0), o), 0x7bffu);
  }
}

TEST(Fp16, ties_at_the_smallest_subnormal_go_to_even) {
  const FormatSpec s = format_spec("fp16");
  EXPECT_EQ(encode(s, std::ldexp(1.0, -25)), 0x0000u) << "half of 2^-24 ties to +0";
  EXPECT_EQ(encode(s, -std::ldexp(1.0, -25)), 0x8000u) << "and keeps its sign";
  EXPECT_EQ(encode(s, std::nextafter(std::ldexp(1.0, -25), 1.0)), 0x0001u);
  EXPECT_EQ(encode(s, std::ldexp(3.0, -25)), 0x0002u) << "1.5 × 2^-24 ties up to 2 × 2^-24";
}

TEST(Fp16, common_values) {
  const FormatSpec s = format_spec("fp16");
  EXPECT_EQ(encode(s, 1.0), 0x3c00u);
  EXPECT_EQ(encode(s, -2.0), 0xc000u);
  EXPECT_EQ(encode(s, 0.1), 0x2e66u);
  EXPECT_EQ(encode(s, 1.0 / 3.0), 0x3555u);
  EXPECT_EQ(encode(s, -0.0), 0x8000u);
  EXPECT_EQ(encode(s, kInf), 0x7c00u);
  EXPECT_EQ(encode(s, -kInf), 0xfc00u);
  EXPECT_EQ(encode(s, kNaN), 0x7e00u);
  EXPECT_EQ(encode(s, -kNaN), 0xfe00u);
  EXPECT_EQ(classify(s, 0x7c00), ValueClass::infinity);
  EXPECT_EQ(classify(s, 0x7c01), ValueClass::nan);
  EXPECT_EQ(classify(s, 0x8000), ValueClass::zero);
}

// ----------------------------------------------------------------------------
// bf16
// ----------------------------------------------------------------------------

TEST(Bf16, one_third_rounds_up_to_0x3eab) {
  // 1/3 = 1.0101010 1010...b × 2^-2: the dropped bits are above half, round up.
  const FormatSpec s = format_spec("bf16");
  EXPECT_EQ(encode(s, 1.0 / 3.0), 0x3eabu);
  EXPECT_EQ(decode(s, 0x3eab), 0.333984375);
  EXPECT_EQ(encode(s, -1.0 / 3.0), 0xbeabu);
}

TEST(Bf16, limits_and_specials) {
  const FormatSpec s = format_spec("bf16");
  EXPECT_EQ(encode(s, 1.0), 0x3f80u);
  EXPECT_EQ(decode(s, 0x7f7f), std::ldexp(255.0, 120)) << "largest finite, (2 - 2^-7) × 2^127";
  EXPECT_EQ(decode(s, 0x0001), std::ldexp(1.0, -133)) << "smallest subnormal";
  EXPECT_EQ(decode(s, 0x0080), std::ldexp(1.0, -126)) << "smallest normal";
  EXPECT_EQ(encode(s, kInf), 0x7f80u);
  EXPECT_EQ(encode(s, kNaN), 0x7fc0u);
  EXPECT_EQ(encode(s, std::ldexp(511.0, 119)), 0x7f80u) << "max + ulp/2 ties to Inf";
}

// ----------------------------------------------------------------------------
// fp8 E4M3 (E4M3FN: no infinity, NaN = S.1111.111)
// ----------------------------------------------------------------------------

TEST(Fp8E4M3, largest_finite_is_448_and_0x7f_is_nan) {
  const FormatSpec s = format_spec("fp8_e4m3");
  EXPECT_EQ(encode(s, 448.0), 0x7eu);
  EXPECT_EQ(decode(s, 0x7e), 448.0);
  EXPECT_EQ(classify(s, 0x7e), ValueClass::normal);
  EXPECT_TRUE(std::isnan(decode(s, 0x7f)));
  EXPECT_EQ(classify(s, 0x7f), ValueClass::nan);
  EXPECT_EQ(classify(s, 0xff), ValueClass::nan);
  EXPECT_EQ(encode(s, kNaN), 0x7fu);
  EXPECT_EQ(encode(s, -kNaN), 0xffu);
}

TEST(Fp8E4M3, has_no_infinity_pattern) {
  const FormatSpec s = format_spec("fp8_e4m3");
  for (std::uint32_t p = 0; p < 256; ++p) {
    EXPECT_NE(classify(s, p), ValueClass::infinity) << hex(p, 2);
    EXPECT_FALSE(std::isinf(decode(s, p))) << hex(p, 2);
  }
  EXPECT_EQ(decode(s, 0x78), 256.0) << "the all-ones exponent holds finite values";
}

TEST(Fp8E4M3, smallest_subnormal_is_2_pow_minus_9) {
  const FormatSpec s = format_spec("fp8_e4m3");
  EXPECT_EQ(encode(s, std::ldexp(1.0, -9)), 0x01u);
  EXPECT_EQ(decode(s, 0x01), std::ldexp(1.0, -9));
  EXPECT_EQ(encode(s, std::ldexp(1.0, -6)), 0x08u) << "smallest normal 2^-6";
  EXPECT_EQ(encode(s, 1.0), 0x38u);
}

TEST(Fp8E4M3, saturate_overflow_gives_448) {
  const FormatSpec s = format_spec("fp8_e4m3");
  for (const double x : {449.0, 464.0, 465.0, 480.0, 1e6, kInf}) {
    EXPECT_EQ(encode(s, x, Overflow::saturate), 0x7eu) << x;
    EXPECT_EQ(encode(s, -x, Overflow::saturate), 0xfeu) << -x;
  }
}

TEST(Fp8E4M3, no_saturate_overflow_gives_nan) {
  const FormatSpec s = format_spec("fp8_e4m3");
  for (const double x : {465.0, 470.0, 480.0, 1e6, kInf}) {
    EXPECT_EQ(encode(s, x, Overflow::to_inf_or_nan), 0x7fu) << x;
    EXPECT_EQ(encode(s, -x, Overflow::to_inf_or_nan), 0xffu) << -x;
  }
}

TEST(Fp8E4M3, no_saturate_midpoint_464_ties_to_even_448) {
  // 464 = 1.1101b × 2^8 is halfway between 448 (S.1111.110, even) and the
  // slot S.1111.111 (odd), which E4M3FN spends on NaN. Round to nearest even
  // with an unbounded exponent picks 448, so 464 does not overflow in either
  // mode; ONNX's reference float32_to_float8e4m3(464, saturate=False) gives
  // 0x7E as well. Only values above 464 overflow.
  const FormatSpec s = format_spec("fp8_e4m3");
  EXPECT_EQ(encode(s, 464.0, Overflow::to_inf_or_nan), 0x7eu);
  EXPECT_EQ(encode(s, -464.0, Overflow::to_inf_or_nan), 0xfeu);
  EXPECT_EQ(encode(s, std::nextafter(464.0, kInf), Overflow::to_inf_or_nan), 0x7fu);
  EXPECT_EQ(encode(s, 464.0, Overflow::saturate), 0x7eu);
}

// ----------------------------------------------------------------------------
// fp8 E5M2 (IEEE-style specials)
// ----------------------------------------------------------------------------

TEST(Fp8E5M2, largest_finite_is_57344_and_inf_is_0x7c) {
  const FormatSpec s = format_spec("fp8_e5m2");
  EXPECT_EQ(encode(s, 57344.0), 0x7bu);
  EXPECT_EQ(decode(s, 0x7b), 57344.0);
  EXPECT_EQ(decode(s, 0x7c), kInf);
  EXPECT_EQ(decode(s, 0xfc), -kInf);
  EXPECT_EQ(classify(s, 0x7c), ValueClass::infinity);
  EXPECT_EQ(encode(s, kNaN), 0x7eu);
  EXPECT_EQ(classify(s, 0x7d), ValueClass::nan);
}

TEST(Fp8E5M2, smallest_subnormal_is_2_pow_minus_16) {
  const FormatSpec s = format_spec("fp8_e5m2");
  EXPECT_EQ(encode(s, std::ldexp(1.0, -16)), 0x01u);
  EXPECT_EQ(decode(s, 0x01), std::ldexp(1.0, -16));
  EXPECT_EQ(encode(s, std::ldexp(1.0, -14)), 0x04u) << "smallest normal 2^-14";
  EXPECT_EQ(encode(s, 1.0), 0x3cu);
}

TEST(Fp8E5M2, value_61440_is_inf_without_saturation_and_57344_with) {
  // 61440 is halfway between 57344 (mantissa 11, odd) and 2^16 (Inf's place).
  const FormatSpec s = format_spec("fp8_e5m2");
  EXPECT_EQ(encode(s, 61440.0, Overflow::to_inf_or_nan), 0x7cu);
  EXPECT_EQ(encode(s, -61440.0, Overflow::to_inf_or_nan), 0xfcu);
  EXPECT_EQ(encode(s, 61440.0, Overflow::saturate), 0x7bu);
  EXPECT_EQ(encode(s, std::nextafter(61440.0, 0.0), Overflow::to_inf_or_nan), 0x7bu);
  EXPECT_EQ(encode(s, kInf, Overflow::saturate), 0x7bu);
  EXPECT_EQ(encode(s, -kInf, Overflow::saturate), 0xfbu);
  EXPECT_EQ(encode(s, kInf, Overflow::to_inf_or_nan), 0x7cu);
}

}  // namespace
}  // namespace quantlab::formats
