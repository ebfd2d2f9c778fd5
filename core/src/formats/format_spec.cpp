#include "quantlab/formats/format_spec.h"

#include <cmath>
#include <string>

#include "quantlab/error.h"

namespace quantlab::formats {
namespace {

FormatSpec float_spec(const char* name, int e, int m, SpecialValues specials) {
  return FormatSpec{name, Kind::floating, 1 + e + m, e, m, (1 << (e - 1)) - 1, specials, true};
}

// Parses the N of "intN" / "uintN"; -1 when the rest is not a plain number.
int parse_width(std::string_view digits) {
  if (digits.empty() || digits.size() > 2) return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

FormatSpec format_spec(std::string_view name) {
  if (name == "fp32") return float_spec("fp32", 8, 23, SpecialValues::ieee);
  if (name == "fp16") return float_spec("fp16", 5, 10, SpecialValues::ieee);
  if (name == "bf16") return float_spec("bf16", 8, 7, SpecialValues::ieee);
  if (name == "fp8_e4m3") return float_spec("fp8_e4m3", 4, 3, SpecialValues::fn_nan);
  if (name == "fp8_e5m2") return float_spec("fp8_e5m2", 5, 2, SpecialValues::ieee);
  const bool is_unsigned = name.substr(0, 4) == "uint";
  const bool is_signed = !is_unsigned && name.substr(0, 3) == "int";
  if (is_signed || is_unsigned) {
    const int n = parse_width(name.substr(is_signed ? 3 : 4));
    if (n < 2 || n > 16) {
      throw InvalidArgument("integer formats have 2 to 16 bits, got '" + std::string(name) + "'");
    }
    return FormatSpec{std::string(name), Kind::integer, n, 0, 0, 0, SpecialValues::ieee, is_signed};
  }
  throw InvalidArgument("unknown format '" + std::string(name) +
                        "' (expected fp32, fp16, bf16, fp8_e4m3, fp8_e5m2, int2..int16 or uint2..uint16)");
}

std::vector<std::string> float_format_names() {
  return {"fp32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2"};
}

FormatLimits format_limits(const FormatSpec& spec) {
  if (spec.kind == Kind::integer) {
    const int n = spec.total_bits;
    const double qmax = spec.is_signed ? std::ldexp(1.0, n - 1) - 1 : std::ldexp(1.0, n) - 1;
    const double qmin = spec.is_signed ? -std::ldexp(1.0, n - 1) : 0.0;
    return {qmax, qmin, 1.0, 1.0, 1.0, 0, 0};
  }
  const int m = spec.mantissa_bits;
  const int min_exp = 1 - spec.bias;  // (F3)
  // IEEE formats reserve the all-ones exponent; E4M3 uses it for finite values
  // except mantissa all ones (F5).
  const int top_field = (1 << spec.exponent_bits) - 1;
  int max_exp;
  double max_significand;
  if (spec.specials == SpecialValues::ieee) {
    max_exp = top_field - 1 - spec.bias;
    max_significand = 2.0 - std::ldexp(1.0, -m);
  } else {
    max_exp = top_field - spec.bias;
    max_significand = 2.0 - std::ldexp(1.0, 1 - m);
  }
  const double max_finite = std::ldexp(max_significand, max_exp);
  return {max_finite, -max_finite, std::ldexp(1.0, min_exp), std::ldexp(1.0, min_exp - m),
          std::ldexp(1.0, -m), min_exp, max_exp};
}

}  // namespace quantlab::formats
