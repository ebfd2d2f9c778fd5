#include "quantlab/formats/decomposition.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "rounding.h"

namespace quantlab::formats {
namespace {

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

std::string to_binary(std::uint64_t v, int width) {
  std::string s(static_cast<std::size_t>(width), '0');
  for (int i = 0; i < width; ++i) s[static_cast<std::size_t>(width - 1 - i)] = ((v >> i) & 1u) ? '1' : '0';
  return s;
}

std::string hex_of(std::uint32_t pattern, int total_bits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", (total_bits + 3) / 4, pattern);
  return buf;
}

// Long digit strings (1e30 has a 100-bit integer part) are shortened for
// reading; the counts stay exact.
std::string abbreviate(const std::string& digits, std::size_t keep = 48) {
  if (digits.size() <= keep + 8) return digits;
  return digits.substr(0, keep) + "…(" + std::to_string(digits.size()) + " digits)";
}

// The exact decimal value of a finite double: every binary fraction has a
// terminating decimal expansion. Digits are built with schoolbook arithmetic.
std::string exact_decimal(double v) {
  if (!std::isfinite(v)) return shortest_decimal(v);
  if (v == 0.0) return std::signbit(v) ? "-0" : "0";
  int e2 = 0;
  const double f = std::frexp(std::fabs(v), &e2);
  auto m = static_cast<std::uint64_t>(std::ldexp(f, 53));
  int k = e2 - 53;  // |v| = m × 2^k
  while ((m & 1u) == 0) { m >>= 1; ++k; }
  // Little-endian base-10 digits of m.
  std::vector<int> d;
  for (std::uint64_t t = m; t > 0; t /= 10) d.push_back(static_cast<int>(t % 10));
  auto mul_small = [&d](int factor) {
    int carry = 0;
    for (int& x : d) { const int y = x * factor + carry; x = y % 10; carry = y / 10; }
    while (carry) { d.push_back(carry % 10); carry /= 10; }
  };
  int point = 0;  // number of fractional digits
  if (k >= 0) {
    for (int i = 0; i < k; ++i) mul_small(2);
  } else {
    for (int i = 0; i < -k; ++i) mul_small(5);  // m × 2^k = m × 5^-k / 10^-k
    point = -k;
  }
  while (static_cast<int>(d.size()) <= point) d.push_back(0);
  std::string s;
  for (int i = static_cast<int>(d.size()) - 1; i >= 0; --i) {
    s.push_back(static_cast<char>('0' + d[static_cast<std::size_t>(i)]));
    if (i == point && point > 0) s.push_back('.');
  }
  return (v < 0 ? "-" : "") + s;
}

std::string fmt_pow2(int e) { return "2^" + std::to_string(e); }

// ---------------------------------------------------------------------------
// The binary expansion of a double, exactly
// ---------------------------------------------------------------------------

struct BinaryExpansion {
  std::string integer;   // no leading zeros ("0" when |x| < 1)
  std::string fraction;  // no trailing zeros ("" when x is an integer)
  int exponent;          // position of the leading 1: |x| = 1.xxx × 2^exponent
};

BinaryExpansion binary_expansion(double a) {
  int e2 = 0;
  const double f = std::frexp(a, &e2);
  auto m = static_cast<std::uint64_t>(std::ldexp(f, 53));
  int k = e2 - 53;
  while ((m & 1u) == 0) { m >>= 1; ++k; }
  std::string b;
  for (std::uint64_t t = m; t > 0; t >>= 1) b.insert(b.begin(), (t & 1u) ? '1' : '0');
  BinaryExpansion out{"", "", e2 - 1};
  const int point = static_cast<int>(b.size()) + k;  // digits before the binary point
  if (k >= 0) {
    out.integer = b + std::string(static_cast<std::size_t>(k), '0');
  } else if (point > 0) {
    out.integer = b.substr(0, static_cast<std::size_t>(point));
    out.fraction = b.substr(static_cast<std::size_t>(point));
  } else {
    out.integer = "0";
    out.fraction = std::string(static_cast<std::size_t>(-point), '0') + b;
  }
  return out;
}

// The fraction digits by repeated doubling, as taught: "0.125 × 2 = 0.25 → 0".
std::string doubling_trace(double frac, int max_steps) {
  std::string out;
  for (int i = 0; i < max_steps && frac != 0.0; ++i) {
    const double twice = frac * 2.0;  // exact in binary
    const int bit = twice >= 1.0 ? 1 : 0;
    if (!out.empty()) out += ", ";
    out += shortest_decimal(frac) + " × 2 = " + shortest_decimal(twice) + " → " + std::to_string(bit);
    frac = twice - bit;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Shared construction of a Decomposition from a pattern
// ---------------------------------------------------------------------------

Decomposition fields_of(const FormatSpec& s, std::uint32_t pattern, double input) {
  Decomposition d{};
  d.format = s.name;
  d.input = input;
  d.pattern = pattern;
  d.bits = to_binary(pattern, s.total_bits);
  d.hex = hex_of(pattern, s.total_bits);
  d.value_class = classify(s, pattern);
  d.stored_value = decode(s, pattern);
  d.overflowed = false;
  if (s.kind == Kind::integer) {
    d.sign = s.is_signed ? static_cast<int>(pattern >> (s.total_bits - 1)) : 0;
    d.ulp = 1.0;
  } else {
    const int m = s.mantissa_bits;
    d.sign = static_cast<int>(pattern >> (s.total_bits - 1));
    d.exponent_bits = d.bits.substr(1, static_cast<std::size_t>(s.exponent_bits));
    d.mantissa_bits = d.bits.substr(static_cast<std::size_t>(1 + s.exponent_bits));
    const int field = static_cast<int>((pattern >> m) & ((1u << s.exponent_bits) - 1));
    if (d.value_class == ValueClass::normal) d.exponent = field - s.bias;
    if (d.value_class == ValueClass::subnormal) d.exponent = 1 - s.bias;
    const bool finite = d.value_class != ValueClass::nan && d.value_class != ValueClass::infinity;
    // Spacing to the next larger magnitude: 2^(E - m), with E at least emin (F2).
    d.ulp = finite ? std::ldexp(1.0, std::max(d.exponent.value_or(1 - s.bias), 1 - s.bias) - m) : NAN;
  }
  const bool both_nan = std::isnan(input) && std::isnan(d.stored_value);
  const bool same_inf = std::isinf(input) && input == d.stored_value;
  d.error = (both_nan || same_inf) ? 0.0 : d.stored_value - input;
  return d;
}

std::string field_pattern(const FormatSpec& s, const Decomposition& d) {
  if (s.kind == Kind::integer) return d.bits;
  return d.bits.substr(0, 1) + " " + d.exponent_bits + " " + d.mantissa_bits;
}

WalkthroughStep stored_step(const Decomposition& d) {
  std::string detail;
  if (std::isnan(d.stored_value)) {
    detail = "The pattern is NaN.";
  } else if (d.error == 0.0) {
    detail = "The pattern stores the value exactly; the error is 0.";
  } else {
    detail = "The pattern stores exactly this value. Error: " + shortest_decimal(d.error);
    if (std::isfinite(d.input) && d.input != 0.0 && std::isfinite(d.error)) {
      detail += " (relative " + shortest_decimal(std::fabs(d.error / d.input)) + ")";
    }
    detail += ".";
  }
  return {"stored_value", "Stored value", detail, exact_decimal(d.stored_value)};
}

// ---------------------------------------------------------------------------
// Encoding walkthroughs
// ---------------------------------------------------------------------------

void explain_integer(const FormatSpec& s, Decomposition& d) {
  const FormatLimits lim = format_limits(s);
  const double rounded = round_half_even(d.input);
  const double q = d.stored_value;
  std::vector<WalkthroughStep>& st = d.steps;
  st.push_back({"round", "Round to an integer",
                "Round " + shortest_decimal(d.input) + " to the nearest integer, ties to even.",
                shortest_decimal(rounded)});
  const std::string range = shortest_decimal(lim.lowest) + " … " + shortest_decimal(lim.max_finite);
  st.push_back({"clamp", "Clamp to the range",
                s.name + " holds " + range + (q == rounded ? "; the value is inside." : "; the value saturates to the nearest end."),
                shortest_decimal(q)});
  if (q < 0) {
    const auto mag = static_cast<std::uint64_t>(-q);
    const std::string plain = to_binary(mag, s.total_bits);
    const std::string inverted = to_binary(~mag & ((1ull << s.total_bits) - 1), s.total_bits);
    st.push_back({"twos_complement", "Two's complement",
                  "Write " + shortest_decimal(-q) + " as " + plain + ", invert every bit (" + inverted +
                      ") and add 1. The top bit then weighs " + shortest_decimal(lim.lowest) + ".",
                  d.bits});
  } else {
    st.push_back({"binary", "Binary", shortest_decimal(q) + " in base 2, padded to " +
                                          std::to_string(s.total_bits) + " bits.", d.bits});
  }
  st.push_back({"pattern", "Stored pattern", "The " + std::to_string(s.total_bits) + " bits, " + d.hex + ".",
                d.bits});
  st.push_back(stored_step(d));
}

void explain_special_float(const FormatSpec& s, Decomposition& d, Overflow overflow) {
  std::vector<WalkthroughStep>& st = d.steps;
  const std::string sign_word = d.sign ? "negative" : "positive";
  st.push_back({"sign", "Sign", "The value is " + sign_word + ", so the sign bit is " + std::to_string(d.sign) + ".",
                std::to_string(d.sign)});
  if (std::isnan(d.input)) {
    st.push_back({"special", "Not a number",
                  s.specials == SpecialValues::fn_nan
                      ? s.name + " has one NaN per sign: exponent and mantissa all ones."
                      : "NaN is an all-ones exponent with a non-zero mantissa; the top mantissa bit marks a quiet NaN.",
                  "NaN"});
  } else if (std::isinf(d.input)) {
    std::string detail;
    if (d.value_class == ValueClass::infinity) {
      detail = "Infinity is the all-ones exponent with a zero mantissa.";
    } else if (d.value_class == ValueClass::nan) {
      detail = s.name + " has no infinity; without saturation it becomes NaN (ONNX Cast, saturate=0).";
    } else {
      detail = s.name + " saturates: infinity becomes the largest finite value (ONNX Cast, saturate=1).";
    }
    (void)overflow;
    st.push_back({"special", "Infinity", detail, shortest_decimal(d.stored_value)});
  } else {
    st.push_back({"special", "Zero",
                  "Zero has exponent and mantissa all zeros; the sign bit keeps −0 apart from +0.",
                  shortest_decimal(d.stored_value)});
  }
  st.push_back({"pattern", "Stored pattern", "sign | exponent | mantissa, " + d.hex + ".", field_pattern(s, d)});
  st.push_back(stored_step(d));
}

void explain_finite_float(const FormatSpec& s, Decomposition& d) {
  const FormatLimits lim = format_limits(s);
  const int m = s.mantissa_bits;
  const double a = std::fabs(d.input);
  const BinaryExpansion bx = binary_expansion(a);
  const std::string bin = bx.integer + (bx.fraction.empty() ? "" : "." + bx.fraction);
  std::vector<WalkthroughStep>& st = d.steps;

  st.push_back({"sign", "Sign",
                shortest_decimal(d.input) + " is " + (d.input < 0 ? "negative" : "positive") +
                    ", so the sign bit is " + std::to_string(d.sign) + ".",
                std::to_string(d.sign)});

  const double int_part = std::floor(a);
  st.push_back({"integer_part", "Integer part in binary",
                int_part == 0.0 ? "The integer part is 0."
                                : shortest_decimal(int_part) + " written in base 2 (repeatedly divide by 2; the remainders, last first).",
                abbreviate(bx.integer)});

  // Show the fraction up to the bits that decide rounding, not all 1074.
  const std::size_t lead_zeros = bx.integer == "0" ? bx.fraction.find('1') : 0;
  const std::size_t needed = (bx.integer == "0" ? lead_zeros + 1 : 0) + static_cast<std::size_t>(m) + 3;
  const bool frac_cut = bx.fraction.size() > needed && bx.fraction.size() > 24;
  const std::string frac_shown = frac_cut ? bx.fraction.substr(0, std::max<std::size_t>(needed, 24)) + "…" : bx.fraction;
  const double frac_part = a - int_part;
  std::string frac_detail;
  if (frac_part == 0.0) {
    frac_detail = "There is no fractional part.";
  } else if (bx.fraction.size() <= 6) {
    frac_detail = "Multiply the fraction by 2 repeatedly; each integer part is the next bit: " +
                  doubling_trace(frac_part, 6) + ".";
  } else {
    frac_detail = "Multiply " + shortest_decimal(frac_part) +
                  " by 2 repeatedly; each integer part is the next bit: " + doubling_trace(frac_part, 3) + ", …" +
                  (frac_cut ? " The expansion goes on for " + std::to_string(bx.fraction.size()) + " bits." : "");
  }
  st.push_back({"fraction_part", "Fraction in binary", frac_detail, frac_part == 0.0 ? ".0" : "." + frac_shown});

  st.push_back({"combined", "Combine both parts", shortest_decimal(a) + " in binary.",
                abbreviate(bx.integer) + (frac_part == 0.0 ? "" : "." + frac_shown)});

  // 1.xxx × 2^E (F1)
  std::string digits = bin;
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  digits.erase(0, digits.find('1') + 1);  // drop leading zeros and the leading 1
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  const int e = bx.exponent;
  const std::size_t show = static_cast<std::size_t>(m) + 8;
  const std::string after_point = digits.size() > show ? digits.substr(0, show) + "…" : digits;
  const std::string normalized = "1." + (after_point.empty() ? "0" : after_point) + " × " + fmt_pow2(e);
  std::string shift = e == 0 ? "The binary point already stands after the leading 1."
                             : "Move the binary point " + std::to_string(std::abs(e)) + " place" +
                                   (std::abs(e) == 1 ? "" : "s") + (e > 0 ? " to the left" : " to the right") +
                                   " so that a single 1 stands before it; each place is a factor of 2.";
  st.push_back({"normalized", "Normalize", shift, normalized});

  const bool overflowed = d.value_class == ValueClass::infinity || d.value_class == ValueClass::nan ||
                          a > lim.max_finite;
  d.overflowed = overflowed;
  if (overflowed) {
    std::string what;
    // Within half a step above max, plain rounding (F6) already gives max; a
    // tie there goes to the even neighbour: infinity in IEEE formats (max has
    // an odd mantissa), 448 in E4M3 (the odd neighbour is NaN).
    const double half_step = std::ldexp(1.0, lim.max_exponent - m - 1);
    const bool rounds_to_max = a < lim.max_finite + half_step ||
                               (a == lim.max_finite + half_step && s.specials == SpecialValues::fn_nan);
    if (d.value_class == ValueClass::infinity) what = "it becomes infinity";
    else if (d.value_class == ValueClass::nan) what = "with no infinity in " + s.name + ", it becomes NaN";
    else if (rounds_to_max) what = "but within half a step of it, so it rounds to the largest finite value";
    else what = "it saturates to the largest finite value (ONNX Cast, saturate=1)";
    st.push_back({"overflow", "Too large",
                  shortest_decimal(a) + " is above the largest finite " + s.name + " value " +
                      shortest_decimal(lim.max_finite) + (rounds_to_max ? ", " : ", so ") + what + ".",
                  shortest_decimal(d.stored_value)});
  } else {
    const bool subnormal_input = e < lim.min_exponent;
    const std::string bias = std::to_string(s.bias);
    const std::string ebits = std::to_string(s.exponent_bits);
    if (d.value_class == ValueClass::subnormal || d.value_class == ValueClass::zero || subnormal_input) {
      st.push_back({"subnormal", "Below the normal range",
                    fmt_pow2(e) + " is below the smallest normal power " + fmt_pow2(lim.min_exponent) +
                        ", so the value is stored as a subnormal: exponent field 0 means 0.mantissa × " +
                        fmt_pow2(lim.min_exponent) + ", with no implicit leading 1.",
                    "0.mantissa × " + fmt_pow2(lim.min_exponent)});
    }
    if (d.value_class == ValueClass::normal) {
      const int stored_e = *d.exponent;
      st.push_back({"biased_exponent", "Biased exponent",
                    "Add the bias " + bias + " to the exponent" +
                        (stored_e != e ? " (rounding carried into the next power of two)" : "") + ": " + bias +
                        " + " + (stored_e < 0 ? "(" + std::to_string(stored_e) + ")" : std::to_string(stored_e)) + " = " + std::to_string(stored_e + s.bias) + ", in " +
                        ebits + " bits.",
                    d.exponent_bits});
    } else {
      st.push_back({"biased_exponent", "Exponent field",
                    d.value_class == ValueClass::zero ? "The value rounds to zero: exponent field 0."
                                                      : "Subnormals use exponent field 0.",
                    d.exponent_bits});
    }

    // The mantissa: the first m bits after the point (for subnormals, after
    // shifting to 2^emin), rounded to nearest, ties to even (F6).
    std::string exact_bits;  // the exact bits that belong to the mantissa positions and beyond
    if (e >= lim.min_exponent) {
      exact_bits = digits;
    } else {
      exact_bits = std::string(static_cast<std::size_t>(lim.min_exponent - e - 1), '0') + "1" + digits;
    }
    const std::string kept = (exact_bits + std::string(static_cast<std::size_t>(m), '0')).substr(0, static_cast<std::size_t>(m));
    const std::string rest = exact_bits.size() > static_cast<std::size_t>(m) ? exact_bits.substr(static_cast<std::size_t>(m)) : "";
    std::string detail;
    if (rest.empty()) {
      detail = "The bits after the point, " + (digits.empty() ? std::string("none") : abbreviate(exact_bits)) +
               ", padded with zeros to " + std::to_string(m) + " bits.";
    } else {
      const std::string shown_rest = abbreviate(rest, 16);
      std::string how;
      if (rest[0] == '0') how = "less than half a unit in the last place, so the kept bits stay (round down)";
      else if (rest.find('1', 1) != std::string::npos) how = "more than half a unit in the last place, so round up";
      else how = std::string("exactly half a unit in the last place: a tie, rounded to the even neighbour (") +
                 (kept.back() == '1' ? "up" : "down") + ")";
      detail = "Keep " + std::to_string(m) + " bits after the point: " + kept + ". The rest, " + shown_rest +
               ", is " + how + ".";
    }
    st.push_back({"mantissa", "Mantissa", detail, d.mantissa_bits});
  }
  st.push_back({"pattern", "Stored pattern", "sign | exponent | mantissa, " + d.hex + ".", field_pattern(s, d)});
  st.push_back(stored_step(d));
}

// ---------------------------------------------------------------------------
// Decoding walkthrough (a pattern typed or flipped bit by bit)
// ---------------------------------------------------------------------------

void explain_decode(const FormatSpec& s, Decomposition& d) {
  std::vector<WalkthroughStep>& st = d.steps;
  if (s.kind == Kind::integer) {
    std::string detail = s.is_signed ? "Two's complement: the top bit weighs −2^" + std::to_string(s.total_bits - 1) +
                                           ", the others their usual powers of two."
                                     : "Unsigned: each bit weighs its power of two.";
    st.push_back({"integer_value", "Integer value", detail, shortest_decimal(d.stored_value)});
    st.push_back(stored_step(d));
    return;
  }
  st.push_back({"fields", "Split the fields", "sign | exponent (" + std::to_string(s.exponent_bits) +
                                                  " bits) | mantissa (" + std::to_string(s.mantissa_bits) + " bits)",
                field_pattern(s, d)});
  st.push_back({"sign", "Sign", d.sign ? "Sign bit 1: negative." : "Sign bit 0: positive.", d.sign ? "−" : "+"});
  const long field = std::strtol(d.exponent_bits.c_str(), nullptr, 2);
  const std::string bias = std::to_string(s.bias);
  switch (d.value_class) {
    case ValueClass::nan:
      st.push_back({"exponent", "Exponent", "The exponent field is all ones and the mantissa is not zero: NaN.", "NaN"});
      break;
    case ValueClass::infinity:
      st.push_back({"exponent", "Exponent", "The exponent field is all ones and the mantissa is zero: infinity.", "∞"});
      break;
    case ValueClass::zero:
      st.push_back({"exponent", "Exponent", "Exponent and mantissa are zero: the value is zero.", "0"});
      break;
    case ValueClass::subnormal:
      st.push_back({"exponent", "Exponent",
                    "Field 0 with a non-zero mantissa: subnormal, exponent 1 − " + bias + " = " +
                        std::to_string(*d.exponent) + " and no implicit 1.",
                    fmt_pow2(*d.exponent)});
      st.push_back({"significand", "Significand", "0 followed by the mantissa bits.", "0." + d.mantissa_bits});
      break;
    default:
      st.push_back({"exponent", "Exponent",
                    "Field " + d.exponent_bits + " = " + std::to_string(field) + "; subtract the bias " + bias +
                        ": " + std::to_string(field) + " − " + bias + " = " + std::to_string(*d.exponent) + ".",
                    fmt_pow2(*d.exponent)});
      st.push_back({"significand", "Significand", "The implicit 1 followed by the mantissa bits.", "1." + d.mantissa_bits});
      break;
  }
  st.push_back(stored_step(d));
}

}  // namespace

// ---------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------

std::string shortest_decimal(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

double parse_number(const std::string& text) {
  const char* space = " \t\n\r";
  const std::size_t first = text.find_first_not_of(space);
  const std::string t = first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(space) - first + 1);
  std::string lower = t;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string body = (!lower.empty() && (lower[0] == '-' || lower[0] == '+')) ? lower.substr(1) : lower;
  const double sign = (!lower.empty() && lower[0] == '-') ? -1.0 : 1.0;
  if (body == "inf" || body == "infinity") return sign * INFINITY;
  if (body == "nan") return std::copysign(std::nan(""), sign);
  if (body.empty() || body.find_first_not_of("0123456789.exp+-xabcdef") != std::string::npos) {
    throw InvalidArgument("'" + text + "' is not a number");
  }
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || *end != '\0') throw InvalidArgument("'" + text + "' is not a number");
  // strtod reports ERANGE for overflow (±HUGE_VAL, what IEEE rounding gives) and
  // for underflow (a correctly rounded tiny value or 0); both are the nearest double.
  return v;
}

std::uint32_t parse_pattern(const FormatSpec& s, const std::string& bits) {
  if (bits.size() != static_cast<std::size_t>(s.total_bits) || bits.find_first_not_of("01") != std::string::npos) {
    throw InvalidArgument("'" + bits + "' is not a pattern of " + s.name + ": expected exactly " +
                          std::to_string(s.total_bits) + " characters 0 or 1");
  }
  return static_cast<std::uint32_t>(std::stoul(bits, nullptr, 2));
}

Decomposition describe_value(const FormatSpec& s, double value, Overflow overflow) {
  const std::uint32_t pattern = encode(s, value, overflow);
  Decomposition d = fields_of(s, pattern, value);
  if (s.kind == Kind::integer) {
    const FormatLimits lim = format_limits(s);
    d.overflowed = round_half_even(value) != d.stored_value;  // clamped by (F7)
    explain_integer(s, d);
  } else if (!std::isfinite(value) || value == 0.0) {
    d.overflowed = std::isinf(value) && std::isfinite(d.stored_value);
    explain_special_float(s, d, overflow);
  } else {
    explain_finite_float(s, d);
  }
  return d;
}

Decomposition describe_pattern(const FormatSpec& s, std::uint32_t pattern) {
  const double v = decode(s, pattern);  // validates the pattern's width
  Decomposition d = fields_of(s, pattern, v);
  explain_decode(s, d);
  return d;
}

}  // namespace quantlab::formats
