// The course's worked example: 85.125 in fp32, step by step.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "quantlab/formats/decomposition.h"

namespace quantlab::formats {
namespace {

const WalkthroughStep& step(const Decomposition& d, const std::string& id) {
  for (const auto& s : d.steps) {
    if (s.id == id) return s;
  }
  ADD_FAILURE() << "no step " << id;
  static WalkthroughStep none;
  return none;
}

TEST(Walkthrough, fp32_85_125_matches_the_course) {
  const Decomposition d = describe_value(format_spec("fp32"), 85.125);
  EXPECT_EQ(d.bits, "01000010101010100100000000000000");
  EXPECT_EQ(d.hex, "0x42aa4000");
  EXPECT_EQ(d.sign, 0);
  EXPECT_EQ(d.exponent_bits, "10000101");
  EXPECT_EQ(d.mantissa_bits, "01010100100000000000000");
  EXPECT_EQ(d.exponent, 6);
  EXPECT_EQ(d.value_class, ValueClass::normal);
  EXPECT_EQ(d.stored_value, 85.125);
  EXPECT_EQ(d.error, 0.0);
  EXPECT_EQ(step(d, "integer_part").value, "1010101");
  EXPECT_EQ(step(d, "fraction_part").value, ".001");
  EXPECT_EQ(step(d, "combined").value, "1010101.001");
  EXPECT_EQ(step(d, "normalized").value, "1.010101001 × 2^6");
  EXPECT_EQ(step(d, "biased_exponent").value, "10000101");
  EXPECT_NE(step(d, "biased_exponent").detail.find("127 + 6 = 133"), std::string::npos);
  EXPECT_EQ(step(d, "mantissa").value, "01010100100000000000000");
  EXPECT_EQ(step(d, "pattern").value, "0 10000101 01010100100000000000000");
}


// ----------------------------------------------------------------------------
// Which steps each kind of value gets, in order
// ----------------------------------------------------------------------------

std::vector<std::string> ids_of(const Decomposition& d) {
  std::vector<std::string> ids;
  for (const auto& s : d.steps) ids.push_back(s.id);
  return ids;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// True when `expected` appears in `ids` in this order (other steps may sit between).
bool in_order(const std::vector<std::string>& ids, const std::vector<std::string>& expected) {
  std::size_t next = 0;
  for (const auto& id : ids) {
    if (next < expected.size() && id == expected[next]) ++next;
  }
  return next == expected.size();
}

bool has(const std::vector<std::string>& ids, const std::string& id) {
  for (const auto& i : ids) {
    if (i == id) return true;
  }
  return false;
}

#define EXPECT_STEPS_IN_ORDER(d, ...)                                    \
  do {                                                                   \
    const std::vector<std::string> ids_ = ids_of(d);                     \
    EXPECT_TRUE(in_order(ids_, {__VA_ARGS__})) << "steps: " << joined(ids_); \
  } while (0)

TEST(Walkthrough, normal_value_steps_in_order) {
  const Decomposition d = describe_value(format_spec("fp16"), 85.125);
  EXPECT_EQ(d.value_class, ValueClass::normal);
  EXPECT_STEPS_IN_ORDER(d, "sign", "integer_part", "fraction_part", "combined", "normalized", "biased_exponent",
                        "mantissa", "pattern", "stored_value");
  EXPECT_FALSE(has(ids_of(d), "subnormal"));
  EXPECT_FALSE(has(ids_of(d), "overflow"));
}

TEST(Walkthrough, subnormal_value_steps_in_order) {
  const Decomposition d = describe_value(format_spec("fp16"), 1e-6);
  EXPECT_EQ(d.value_class, ValueClass::subnormal);
  EXPECT_STEPS_IN_ORDER(d, "sign", "integer_part", "fraction_part", "combined", "normalized", "subnormal",
                        "biased_exponent", "mantissa", "pattern", "stored_value");
  EXPECT_EQ(step(d, "biased_exponent").value, "00000");
}

TEST(Walkthrough, value_rounding_to_zero_steps_in_order) {
  const Decomposition d = describe_value(format_spec("fp16"), 1e-10);
  EXPECT_EQ(d.value_class, ValueClass::zero);
  EXPECT_STEPS_IN_ORDER(d, "sign", "normalized", "subnormal", "biased_exponent", "mantissa", "pattern",
                        "stored_value");
}

TEST(Walkthrough, zero_steps_in_order) {
  for (const double zero : {0.0, -0.0}) {
    const Decomposition d = describe_value(format_spec("fp16"), zero);
    EXPECT_EQ(d.value_class, ValueClass::zero);
    EXPECT_EQ(d.sign, std::signbit(zero) ? 1 : 0);
    EXPECT_STEPS_IN_ORDER(d, "sign", "special", "pattern", "stored_value");
  }
}

TEST(Walkthrough, nan_steps_in_order) {
  const Decomposition d = describe_value(format_spec("fp16"), std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(d.value_class, ValueClass::nan);
  EXPECT_STEPS_IN_ORDER(d, "sign", "special", "pattern", "stored_value");
}

TEST(Walkthrough, infinity_steps_in_order) {
  const Decomposition d = describe_value(format_spec("fp16"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(d.value_class, ValueClass::infinity);
  EXPECT_FALSE(d.overflowed) << "Inf stored as Inf did not overflow";
  EXPECT_STEPS_IN_ORDER(d, "sign", "special", "pattern", "stored_value");
}

TEST(Walkthrough, overflow_steps_in_order_with_no_mantissa_step) {
  const Decomposition d = describe_value(format_spec("fp16"), 1e6);
  EXPECT_EQ(d.value_class, ValueClass::infinity);
  EXPECT_TRUE(d.overflowed);
  EXPECT_STEPS_IN_ORDER(d, "sign", "integer_part", "fraction_part", "combined", "normalized", "overflow", "pattern",
                        "stored_value");
  EXPECT_FALSE(has(ids_of(d), "mantissa"));
  EXPECT_FALSE(has(ids_of(d), "biased_exponent"));
}

TEST(Walkthrough, saturated_fp8_overflow_steps_in_order) {
  const Decomposition d = describe_value(format_spec("fp8_e4m3"), 1000.0, Overflow::saturate);
  EXPECT_EQ(d.pattern, 0x7eu);
  EXPECT_TRUE(d.overflowed);
  EXPECT_STEPS_IN_ORDER(d, "sign", "normalized", "overflow", "pattern", "stored_value");
}

TEST(Walkthrough, integer_steps_in_order) {
  EXPECT_STEPS_IN_ORDER(describe_value(format_spec("int8"), -3.0), "round", "clamp", "twos_complement", "pattern",
                        "stored_value");
  EXPECT_STEPS_IN_ORDER(describe_value(format_spec("uint8"), 5.0), "round", "clamp", "binary", "pattern",
                        "stored_value");
}

TEST(Walkthrough, decoding_a_pattern_steps_in_order) {
  const FormatSpec fp16 = format_spec("fp16");
  EXPECT_STEPS_IN_ORDER(describe_pattern(fp16, 0x3c00), "fields", "sign", "exponent", "significand", "stored_value");
  EXPECT_STEPS_IN_ORDER(describe_pattern(fp16, 0x0001), "fields", "sign", "exponent", "significand", "stored_value");
  EXPECT_STEPS_IN_ORDER(describe_pattern(fp16, 0x7c00), "fields", "sign", "exponent", "stored_value");
  EXPECT_STEPS_IN_ORDER(describe_pattern(fp16, 0x7e00), "fields", "sign", "exponent", "stored_value");
  EXPECT_STEPS_IN_ORDER(describe_pattern(fp16, 0x8000), "fields", "sign", "exponent", "stored_value");
  EXPECT_STEPS_IN_ORDER(describe_pattern(format_spec("int4"), 0x8), "integer_value", "stored_value");
}

}  // namespace
}  // namespace quantlab::formats
