// quantlab/formats/format_spec.h — which number formats exist and their parameters.
//
// The maths of every format is in core/docs/number_formats.md; equation
// numbers cited in the sources (F1, F2, ...) refer to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quantlab::formats {

/// @brief Floating point (sign, exponent, mantissa) or two's complement / unsigned integer.
enum class Kind { floating, integer };

/// @brief How the all-ones exponent field is used by a float format.
enum class SpecialValues {
  ieee,    ///< exponent all ones: infinity (mantissa 0) or NaN (fp32, fp16, bf16, fp8 E5M2)
  fn_nan,  ///< no infinities, one NaN per sign: S.1111.111 (fp8 E4M3 "fn", OCP)
};

/// @brief The parameters of one number format.
struct FormatSpec {
  std::string name;       ///< "fp32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "int8", "uint4", ...
  Kind kind;              ///< float or integer
  int total_bits;         ///< width of the stored pattern (2..32)
  int exponent_bits;      ///< width of the exponent field (0 for integers)
  int mantissa_bits;      ///< stored fraction bits, without the implicit leading 1 (0 for integers)
  int bias;               ///< exponent bias (0 for integers)
  SpecialValues specials; ///< meaning of the all-ones exponent (floats only)
  bool is_signed;         ///< integers: two's complement when true; floats always have a sign bit
};

/// @brief Looks a format up by name: the float names above, or int2..int16 / uint2..uint16.
/// Throws InvalidArgument for an unknown name.
FormatSpec format_spec(std::string_view name);

/// @brief The float formats, widest first.
std::vector<std::string> float_format_names();

/// @brief Characteristic values of a format, derived from its spec.
struct FormatLimits {
  double max_finite;     ///< largest finite value (integers: qmax)
  double lowest;         ///< most negative finite value (integers: qmin)
  double min_normal;     ///< smallest positive normal (integers: 1)
  double min_subnormal;  ///< smallest positive subnormal (integers: 1)
  double epsilon;        ///< distance from 1 to the next value (integers: 1)
  int min_exponent;      ///< unbiased exponent of min_normal (F3); 0 for integers
  int max_exponent;      ///< unbiased exponent of max_finite; 0 for integers
};

/// @brief The limits of a format (F4, F5).
FormatLimits format_limits(const FormatSpec& spec);

}  // namespace quantlab::formats
