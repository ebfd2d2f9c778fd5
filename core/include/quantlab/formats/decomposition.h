// quantlab/formats/decomposition.h — a value seen through a format: fields,
// class, stored value, error and the textbook walkthrough as data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantlab/formats/codec.h"
#include "quantlab/formats/format_spec.h"

namespace quantlab::formats {

/// @brief One step of the walkthrough. The page renders these; nothing about
/// the steps is baked into the UI.
struct WalkthroughStep {
  std::string id;      ///< stable key, e.g. "integer_part", "normalized", "biased_exponent"
  std::string title;   ///< short heading
  std::string detail;  ///< one or two sentences with this value's numbers
  std::string value;   ///< the result of the step (bits or an expression)
};

/// @brief Everything the explorer shows about one value in one format.
struct Decomposition {
  std::string format;            ///< format name
  double input;                  ///< the value asked for (for a decoded pattern: its value)
  std::uint32_t pattern;         ///< stored bits, in the low total_bits bits
  std::string bits;              ///< all bits, most significant first
  int sign;                      ///< sign bit (0 for unsigned integers)
  std::string exponent_bits;     ///< exponent field, MSB first ("" for integers)
  std::string mantissa_bits;     ///< mantissa field, MSB first ("" for integers)
  std::optional<int> exponent;   ///< unbiased exponent for normal and subnormal values
  ValueClass value_class;        ///< zero, subnormal, normal, infinity, nan, integer
  double stored_value;           ///< exact value of the pattern
  double error;                  ///< stored_value - input (0 for NaN to NaN, Inf to Inf)
  std::string hex;               ///< the pattern in hexadecimal, "0x42aa4000"
  double ulp;                    ///< spacing between this value and the next larger magnitude
  bool overflowed;               ///< the input was outside the finite range (saturated or became Inf/NaN)
  std::vector<WalkthroughStep> steps;  ///< how the pattern is obtained
};

/// @brief Encodes `value` and explains how (round-to-nearest-even).
Decomposition describe_value(const FormatSpec& spec, double value,
                             Overflow overflow = Overflow::saturate);

/// @brief Explains an existing pattern (used when a bit is flipped): the steps
/// decode it instead of encoding. Throws InvalidArgument for bits above total_bits.
Decomposition describe_pattern(const FormatSpec& spec, std::uint32_t pattern);

/// @brief Reads a pattern written as bits, most significant first ("0100..."),
/// exactly total_bits long. Anything else throws InvalidArgument.
std::uint32_t parse_pattern(const FormatSpec& spec, const std::string& bits);

/// @brief Shortest decimal text that reads back as the same double ("85.125",
/// "0.1", "1e-45", "inf", "-inf", "nan").
std::string shortest_decimal(double v);

/// @brief Parses a number as the CLI accepts it: decimal or hex-float text,
/// "inf", "-inf", "nan" (any case). Anything else throws InvalidArgument.
double parse_number(const std::string& text);

}  // namespace quantlab::formats
