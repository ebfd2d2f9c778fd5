// QuantSpec: the integer grid of every width, sign and narrow range (Q3), and
// the errors validate() gives for bad widths, axes and group sizes.
#include "quantlab/quant/scheme.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "quantlab/error.h"

namespace quantlab::quant {
namespace {

QuantSpec grid(int bits, bool is_signed, bool narrow) {
  QuantSpec s;
  s.bits = bits;
  s.is_signed = is_signed;
  s.narrow_range = narrow;
  return s;
}

// Expects InvalidArgument whose message contains `needle`.
template <typename Fn>
void expect_invalid(Fn&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning '" << needle << "'";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(QuantScheme, grids_of_the_common_formats_are_the_textbook_ranges) {
  EXPECT_EQ(qmin(grid(8, true, false)), -128);
  EXPECT_EQ(qmax(grid(8, true, false)), 127);
  EXPECT_EQ(qmin(grid(8, true, true)), -127);
  EXPECT_EQ(qmax(grid(8, true, true)), 127);
  EXPECT_EQ(qmin(grid(8, false, false)), 0);
  EXPECT_EQ(qmax(grid(8, false, false)), 255);
  EXPECT_EQ(qmin(grid(8, false, true)), 1);
  EXPECT_EQ(qmax(grid(8, false, true)), 255);
  EXPECT_EQ(qmin(grid(4, true, false)), -8);
  EXPECT_EQ(qmax(grid(4, true, false)), 7);
  EXPECT_EQ(qmin(grid(2, true, false)), -2);
  EXPECT_EQ(qmax(grid(2, true, false)), 1);
  EXPECT_EQ(qmin(grid(2, true, true)), -1);
  EXPECT_EQ(qmin(grid(16, true, false)), -32768);
  EXPECT_EQ(qmax(grid(16, true, false)), 32767);
  EXPECT_EQ(qmax(grid(16, false, false)), 65535);
}

TEST(QuantScheme, every_valid_width_has_2_to_the_bits_codes_or_one_fewer_when_narrow) {
  for (const int bits : {2, 3, 4, 5, 6, 7, 8, 16}) {
    for (const bool is_signed : {true, false}) {
      for (const bool narrow : {false, true}) {
        const QuantSpec s = grid(bits, is_signed, narrow);
        EXPECT_NO_THROW(validate(s));
        const int codes = qmax(s) - qmin(s) + 1;
        EXPECT_EQ(codes, (1 << bits) - (narrow ? 1 : 0)) << bits << (is_signed ? " signed" : " unsigned");
        if (is_signed && narrow) {
          EXPECT_EQ(qmin(s), -qmax(s)) << bits;
        }
        if (!is_signed) {
          EXPECT_EQ(qmax(s), (1 << bits) - 1) << bits;
        }
      }
    }
  }
}

TEST(QuantScheme, widths_outside_2_to_8_and_16_are_rejected) {
  for (const int bits : {-1, 0, 1, 9, 10, 12, 15, 17, 24, 32}) {
    expect_invalid([&] { validate(grid(bits, true, false)); }, "bits must be 2..8 or 16, got " + std::to_string(bits));
  }
}

TEST(QuantScheme, channel_axis_must_exist_in_the_shape_counting_negatives_from_the_end) {
  QuantSpec s;
  s.granularity = Granularity::channel;
  for (const int axis : {0, 1, 2, -1, -2, -3}) {
    s.axis = axis;
    EXPECT_NO_THROW(validate(s, {2, 3, 4})) << axis;
  }
  for (const int axis : {3, 4, -4, 100}) {
    s.axis = axis;
    expect_invalid([&] { validate(s, {2, 3, 4}); }, "does not exist in shape [2, 3, 4]");
  }
  s.axis = 0;
  expect_invalid([&] { validate(s, {}); }, "scalar");
}

TEST(QuantScheme, group_size_must_be_positive_and_divide_the_axis) {
  QuantSpec s;
  s.granularity = Granularity::group;
  s.axis = 1;
  for (const int g : {1, 2, 3, 4, 6, 12}) {
    s.group_size = g;
    EXPECT_NO_THROW(validate(s, {5, 12})) << g;
  }
  for (const int g : {0, -1, -32}) {
    s.group_size = g;
    expect_invalid([&] { validate(s); }, "group size must be positive");
  }
  for (const int g : {5, 7, 8, 13, 24}) {
    s.group_size = g;
    expect_invalid([&] { validate(s, {5, 12}); }, "does not divide the length 12 of axis 1");
  }
}

TEST(QuantScheme, tensor_granularity_ignores_axis_and_group_size) {
  QuantSpec s;
  s.axis = 7;
  s.group_size = -3;
  EXPECT_NO_THROW(validate(s, {}));
  EXPECT_NO_THROW(validate(s, {2, 3}));
}

TEST(QuantScheme, names_round_trip_and_unknown_names_list_the_valid_ones) {
  for (const Scheme v : {Scheme::symmetric, Scheme::asymmetric}) EXPECT_EQ(parse_scheme(to_string(v)), v);
  for (const Granularity v : {Granularity::tensor, Granularity::channel, Granularity::group}) {
    EXPECT_EQ(parse_granularity(to_string(v)), v);
  }
  for (const Rounding v : {Rounding::half_even, Rounding::half_away, Rounding::stochastic}) {
    EXPECT_EQ(parse_rounding(to_string(v)), v);
  }
  expect_invalid([] { parse_scheme("affine"); }, "expected symmetric or asymmetric");
  expect_invalid([] { parse_granularity("row"); }, "expected tensor, channel or group");
  expect_invalid([] { parse_rounding("nearest"); }, "expected half_even, half_away or stochastic");
}

TEST(QuantScheme, normalize_axis_maps_negative_axes_and_rejects_the_rest) {
  EXPECT_EQ(normalize_axis(-1, 3), 2u);
  EXPECT_EQ(normalize_axis(-3, 3), 0u);
  EXPECT_EQ(normalize_axis(2, 3), 2u);
  expect_invalid([] { normalize_axis(3, 3); }, "out of range");
  expect_invalid([] { normalize_axis(-4, 3); }, "out of range");
  expect_invalid([] { normalize_axis(0, 0); }, "out of range");
}

}  // namespace
}  // namespace quantlab::quant
