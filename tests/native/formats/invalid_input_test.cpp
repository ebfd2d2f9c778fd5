// Bad input is reported as quantlab::InvalidArgument with a message: unknown
// format names and patterns wider than the format.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "quantlab/error.h"
#include "quantlab/formats/codec.h"
#include "quantlab/formats/decomposition.h"
#include "quantlab/formats/format_spec.h"
#include "support/float_bits.h"

namespace quantlab::formats {
namespace {

using test::hex;

// Runs `f`, which must throw InvalidArgument with a non-empty message.
template <typename F>
void expect_invalid_argument(F&& f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << what << ": no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_STRNE(e.what(), "") << what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": threw another exception: " << e.what();
  }
}

TEST(FormatSpec, unknown_names_throw_invalid_argument) {
  for (const char* name : {"fp64", "int1", "int17", "int", "uintx", "", "uint0", "int32", "FP16", "fp8", "int-8",
                           "uint", "int 8"}) {
    expect_invalid_argument([&] { format_spec(name); }, std::string("format_spec(\"") + name + "\")");
  }
}

TEST(Patterns, bits_above_total_bits_throw_for_decode_classify_and_describe_pattern) {
  for (const char* name : {"fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "int8", "uint4", "int2", "int16", "uint16"}) {
    const FormatSpec s = format_spec(name);
    for (const std::uint32_t p : {1u << s.total_bits, (1u << s.total_bits) | 1u, 0x80000000u, 0xffffffffu}) {
      const std::string what = std::string(name) + " pattern " + hex(p, 8);
      expect_invalid_argument([&] { decode(s, p); }, "decode " + what);
      expect_invalid_argument([&] { classify(s, p); }, "classify " + what);
      expect_invalid_argument([&] { describe_pattern(s, p); }, "describe_pattern " + what);
    }
    // The widest valid pattern is accepted.
    EXPECT_NO_THROW(decode(s, (1u << s.total_bits) - 1)) << name;
    EXPECT_NO_THROW(describe_pattern(s, (1u << s.total_bits) - 1)) << name;
  }
}

TEST(Patterns, every_fp32_pattern_width_is_valid) {
  const FormatSpec s = format_spec("fp32");
  EXPECT_NO_THROW(decode(s, 0xffffffffu));
  EXPECT_EQ(classify(s, 0xffffffffu), ValueClass::nan);
}

TEST(ParsePattern, reads_bits_most_significant_first) {
  EXPECT_EQ(parse_pattern(format_spec("fp16"), "0111101111111111"), 0x7bffu);
  EXPECT_EQ(parse_pattern(format_spec("fp8_e4m3"), "01111110"), 0x7eu);
  EXPECT_EQ(parse_pattern(format_spec("int4"), "1000"), 0x8u);
  EXPECT_EQ(parse_pattern(format_spec("fp32"), "11111111111111111111111111111111"), 0xffffffffu);
}

TEST(ParsePattern, wrong_length_or_characters_throw_invalid_argument) {
  const FormatSpec s = format_spec("fp8_e5m2");
  for (const char* bits : {"", "0111101", "011110110", "0111101x", "0111 101", "01111012", "-1111011"}) {
    expect_invalid_argument([&] { parse_pattern(s, bits); }, std::string("parse_pattern(\"") + bits + "\")");
  }
}

}  // namespace
}  // namespace quantlab::formats
