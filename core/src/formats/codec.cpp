#include "quantlab/formats/codec.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "quantlab/error.h"
#include "rounding.h"

namespace quantlab::formats {
namespace {

struct FloatLayout {
  int m;               // mantissa bits
  int bias;
  std::uint32_t top;   // all-ones exponent field
  std::uint32_t sign;  // sign bit mask
  std::uint32_t mant_mask;
};

FloatLayout layout(const FormatSpec& s) {
  return {s.mantissa_bits, s.bias, (1u << s.exponent_bits) - 1, 1u << (s.total_bits - 1),
          (1u << s.mantissa_bits) - 1};
}

std::uint32_t infinity_pattern(const FloatLayout& l) { return l.top << l.m; }

// Largest finite magnitude (F5): IEEE formats stop one exponent below the
// all-ones field; E4M3 uses that field too but keeps mantissa 111 for NaN.
std::uint32_t max_finite_pattern(const FormatSpec& s, const FloatLayout& l) {
  return s.specials == SpecialValues::ieee ? infinity_pattern(l) - 1
                                           : (l.top << l.m) | (l.mant_mask - 1);
}

std::uint32_t quiet_nan(const FormatSpec& s, const FloatLayout& l, std::uint32_t sign) {
  if (s.specials == SpecialValues::fn_nan) return sign | (l.top << l.m) | l.mant_mask;
  return sign | (l.top << l.m) | (1u << (l.m - 1));
}

// Only fp8 follows ONNX Cast's saturate attribute; wider formats are IEEE 754.
std::uint32_t overflow_pattern(const FormatSpec& s, const FloatLayout& l, std::uint32_t sign,
                               Overflow overflow) {
  const bool saturating = s.total_bits == 8 && overflow == Overflow::saturate;
  if (saturating) return sign | max_finite_pattern(s, l);
  if (s.specials == SpecialValues::fn_nan) return quiet_nan(s, l, sign);
  return sign | infinity_pattern(l);
}

void check_pattern(const FormatSpec& s, std::uint32_t pattern) {
  if (s.total_bits < 32 && (pattern >> s.total_bits) != 0) {
    throw InvalidArgument("pattern 0x" + [&] {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%x", pattern);
      return std::string(buf);
    }() + " has bits above the " + std::to_string(s.total_bits) + " bits of " + s.name);
  }
}

std::uint32_t encode_integer(const FormatSpec& s, double value) {
  if (!std::isfinite(value)) {
    throw InvalidArgument(std::string(std::isnan(value) ? "NaN" : "infinity") +
                          " has no representation in " + s.name);
  }
  const FormatLimits lim = format_limits(s);
  const double clamped = std::fmin(std::fmax(round_half_even(value), lim.lowest), lim.max_finite);  // (F7)
  const auto q = static_cast<std::int32_t>(clamped);
  const std::uint32_t mask = (1u << s.total_bits) - 1;
  return static_cast<std::uint32_t>(q) & mask;  // two's complement in total_bits
}

}  // namespace

const char* to_string(ValueClass c) {
  switch (c) {
    case ValueClass::zero: return "zero";
    case ValueClass::subnormal: return "subnormal";
    case ValueClass::normal: return "normal";
    case ValueClass::infinity: return "infinity";
    case ValueClass::nan: return "nan";
    case ValueClass::integer: return "integer";
  }
  return "unknown";
}

std::uint32_t encode(const FormatSpec& s, double value, Overflow overflow) {
  if (s.kind == Kind::integer) return encode_integer(s, value);
  const FloatLayout l = layout(s);
  const std::uint32_t sign = std::signbit(value) ? l.sign : 0u;
  if (std::isnan(value)) return quiet_nan(s, l, sign);
  const double a = std::fabs(value);
  if (std::isinf(a)) return overflow_pattern(s, l, sign, overflow);
  if (a == 0.0) return sign;

  // a = 1.f × 2^E (F1). Below the smallest normal exponent the quantum stays
  // at 2^(emin - m): that is what makes subnormals evenly spaced (F2).
  int e2 = 0;
  std::frexp(a, &e2);
  const int exponent = e2 - 1;
  const int emin = 1 - l.bias;
  const int max_exp = static_cast<int>(l.top) - l.bias;  // one past the last normal binade
  if (exponent > max_exp) return overflow_pattern(s, l, sign, overflow);
  const int quantum_exp = std::max(exponent, emin) - l.m;
  const double steps = round_half_even(std::ldexp(a, -quantum_exp));  // exact scaling by 2^k (F6)
  const auto significand = static_cast<std::uint64_t>(steps);
  // Normal: field (E + bias) and significand 1.f scaled by 2^m; subnormal:
  // field 0. A carry out of the significand (rounding 1.11..1 up) lands in the
  // exponent field by plain addition, which is exactly right in both cases.
  std::uint64_t magnitude = significand;
  if (exponent >= emin) {
    magnitude = (static_cast<std::uint64_t>(exponent + l.bias) << l.m) + (significand - (1ull << l.m));
  }
  if (magnitude > max_finite_pattern(s, l)) return overflow_pattern(s, l, sign, overflow);
  return sign | static_cast<std::uint32_t>(magnitude);
}

std::uint32_t encode_fp32_bits(const FormatSpec& s, std::uint32_t fp32_bits, Overflow overflow) {
  if (s.name == "fp32") return fp32_bits;
  const bool is_nan = (fp32_bits & 0x7f800000u) == 0x7f800000u && (fp32_bits & 0x007fffffu) != 0;
  if (is_nan && s.kind == Kind::floating) {
    const FloatLayout l = layout(s);
    const std::uint32_t sign = (fp32_bits >> 31) ? l.sign : 0u;
    if (s.specials == SpecialValues::fn_nan) return quiet_nan(s, l, sign);
    const std::uint32_t payload = (fp32_bits & 0x007fffffu) >> (23 - l.m);
    return quiet_nan(s, l, sign) | payload;
  }
  float f;
  std::memcpy(&f, &fp32_bits, sizeof f);
  return encode(s, static_cast<double>(f), overflow);
}

ValueClass classify(const FormatSpec& s, std::uint32_t pattern) {
  check_pattern(s, pattern);
  if (s.kind == Kind::integer) return pattern == 0 ? ValueClass::zero : ValueClass::integer;
  const FloatLayout l = layout(s);
  const std::uint32_t field = (pattern >> l.m) & l.top;
  const std::uint32_t mant = pattern & l.mant_mask;
  if (field == l.top) {
    if (s.specials == SpecialValues::ieee) return mant == 0 ? ValueClass::infinity : ValueClass::nan;
    if (mant == l.mant_mask) return ValueClass::nan;
  }
  if (field == 0) return mant == 0 ? ValueClass::zero : ValueClass::subnormal;
  return ValueClass::normal;
}

double decode(const FormatSpec& s, std::uint32_t pattern) {
  const ValueClass c = classify(s, pattern);
  if (s.kind == Kind::integer) {
    const int n = s.total_bits;
    if (s.is_signed && (pattern >> (n - 1)) != 0) {
      return static_cast<double>(static_cast<std::int64_t>(pattern) - (std::int64_t{1} << n));
    }
    return static_cast<double>(pattern);
  }
  const FloatLayout l = layout(s);
  const double sign = (pattern & l.sign) ? -1.0 : 1.0;
  const std::uint32_t field = (pattern >> l.m) & l.top;
  const double mant = static_cast<double>(pattern & l.mant_mask);
  switch (c) {
    case ValueClass::nan: return std::copysign(std::nan(""), sign);
    case ValueClass::infinity: return sign * INFINITY;
    case ValueClass::zero: return sign * 0.0;
    case ValueClass::subnormal: return sign * std::ldexp(mant, 1 - l.bias - l.m);  // (F2)
    default: return sign * std::ldexp(mant + std::ldexp(1.0, l.m), static_cast<int>(field) - l.bias - l.m);  // (F1)
  }
}

}  // namespace quantlab::formats
