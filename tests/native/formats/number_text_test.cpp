// Numbers as text: parse_number (what the CLI and the page accept) and
// shortest_decimal (the shortest text that reads back as the same double).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "quantlab/error.h"
#include "quantlab/formats/decomposition.h"
#include "support/float_bits.h"
#include "support/mismatch_log.h"

namespace quantlab::formats {
namespace {

using test::describe_double;
using test::MismatchLog;

constexpr std::uint32_t kRandomSeed = 20240611;
// Random doubles (random bit patterns, NaN skipped) for the round trip.
constexpr int kShortestDecimalSampleCount = 1 << 12;

void expect_rejected(const std::string& text) {
  try {
    const double v = parse_number(text);
    ADD_FAILURE() << "parse_number(\"" << text << "\") accepted it as " << describe_double(v);
  } catch (const InvalidArgument& e) {
    EXPECT_STRNE(e.what(), "") << text;
  }
}

TEST(ParseNumber, rejects_malformed_text) {
  for (const char* text : {"abc", "", "1.2.3", "0x", "--1", " ", "1e", "e5", ".", "+", "-", "1f", "0x1p", "infinite",
                           "nan1", "1,5", "1_000", "++1", "0b101"}) {
    expect_rejected(text);
  }
}

TEST(ParseNumber, rejects_text_split_by_inner_whitespace) {
  // Only leading and trailing blanks are "around" a number; "1 2" is two numbers.
  for (const char* text : {"1 2", "- 1", "in f", "1e 5", "0x 1p-3"}) expect_rejected(text);
}

TEST(ParseNumber, accepts_decimal_hex_float_and_special_text) {
  EXPECT_EQ(parse_number("85.125"), 85.125);
  EXPECT_EQ(parse_number(" 1e-3 "), 1e-3);
  EXPECT_EQ(parse_number("\t-2.5\n"), -2.5);
  EXPECT_EQ(parse_number("0x1p-3"), 0.125);
  EXPECT_EQ(parse_number("0X1P-3"), 0.125);
  EXPECT_EQ(parse_number("+7"), 7.0);
  EXPECT_EQ(parse_number("0.1"), 0.1);
  const double neg_zero = parse_number("-0");
  EXPECT_EQ(neg_zero, 0.0);
  EXPECT_TRUE(std::signbit(neg_zero)) << "-0 keeps its sign";
  EXPECT_EQ(parse_number("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_number("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_number("INF"), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(parse_number("NaN")));
  EXPECT_TRUE(std::isnan(parse_number("nan")));
  EXPECT_TRUE(std::signbit(parse_number("-nan")));
}

TEST(ParseNumber, out_of_range_text_gives_the_nearest_double) {
  EXPECT_EQ(parse_number("1e999"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_number("-1e999"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_number("4.9406564584124654e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(parse_number("1e-999"), 0.0);
}

TEST(ShortestDecimal, known_values) {
  EXPECT_EQ(shortest_decimal(85.125), "85.125");
  EXPECT_EQ(shortest_decimal(0.1), "0.1");
  EXPECT_EQ(shortest_decimal(1e-45), "1e-45");
  EXPECT_EQ(shortest_decimal(-2.5), "-2.5");
  EXPECT_EQ(shortest_decimal(0.0), "0");
  EXPECT_EQ(shortest_decimal(-0.0), "-0");
  EXPECT_EQ(shortest_decimal(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(shortest_decimal(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(shortest_decimal(std::numeric_limits<double>::quiet_NaN()), "nan");
}

// Significant digits in a %g text ("1.25e-07" → 3).
int significant_digits(const std::string& text) {
  int n = 0;
  bool leading = true;
  for (const char c : text) {
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++n;
  }
  return n;
}

TEST(ShortestDecimal, random_doubles_read_back_exactly_and_no_shorter_text_does) {
  std::mt19937_64 rng(kRandomSeed);
  MismatchLog log;
  for (int i = 0; i < kShortestDecimalSampleCount; ++i) {
    const double v = test::bits_to_double(rng());
    if (std::isnan(v)) continue;
    const std::string text = shortest_decimal(v);
    const double back = std::strtod(text.c_str(), nullptr);
    log.check(test::same_double(back, v),
              [&] { return describe_double(v) + " → \"" + text + "\" → " + describe_double(back); });
    const int digits = significant_digits(text);
    if (digits > 1) {
      char shorter[400];  // %g of a double never needs more; the size silences -Wformat-truncation
      std::snprintf(shorter, sizeof shorter, "%.*g", digits - 1, v);
      log.check(std::strtod(shorter, nullptr) != v, [&] {
        return describe_double(v) + " → \"" + text + "\", but \"" + shorter + "\" also reads back";
      });
    }
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

TEST(ShortestDecimal, parse_number_reads_it_back) {
  std::mt19937_64 rng(kRandomSeed + 1);
  MismatchLog log;
  for (int i = 0; i < kShortestDecimalSampleCount; ++i) {
    const double v = test::bits_to_double(rng());
    if (std::isnan(v)) continue;
    const std::string text = shortest_decimal(v);
    const double back = parse_number(text);
    log.check(test::same_double(back, v), [&] { return describe_double(v) + " → \"" + text + "\""; });
  }
  EXPECT_EQ(log.failures(), 0u) << log.report();
}

}  // namespace
}  // namespace quantlab::formats
