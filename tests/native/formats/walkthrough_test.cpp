// The course's worked example: 85.125 in fp32, step by step.
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace quantlab::formats
