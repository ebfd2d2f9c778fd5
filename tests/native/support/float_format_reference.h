// support/float_format_reference.h — a deliberately naive, independent model of
// the small float formats (fp16, bf16, fp8 E4M3, fp8 E5M2) to check the core
// against. It shares no code with core/src/formats: layouts are written out
// from the format definitions (IEEE 754 binary16, bfloat16, OCP 8-bit floating
// point "E4M3FN" and "E5M2"), classification and decoding are spelled out
// field by field, and rounding is done by looking the value up in the sorted
// list of every finite value of the format. Slow on purpose; fast enough for
// formats of at most 16 bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "quantlab/formats/codec.h"  // for the Overflow enum only

namespace quantlab::test {

/// @brief A float layout as the format definitions give it.
struct RefLayout {
  const char* name;   ///< the core's name for the format
  int exponent_bits;  ///< width of the exponent field
  int mantissa_bits;  ///< stored fraction bits
  bool has_infinity;  ///< IEEE-style specials; false: E4M3FN (no Inf, NaN = S.1111.111)

  int total_bits() const { return 1 + exponent_bits + mantissa_bits; }
  int bias() const { return (1 << (exponent_bits - 1)) - 1; }
  std::uint32_t sign_mask() const { return 1u << (exponent_bits + mantissa_bits); }
  std::uint32_t exponent_all_ones() const { return (1u << exponent_bits) - 1; }
  std::uint32_t mantissa_all_ones() const { return (1u << mantissa_bits) - 1; }
  std::uint32_t pattern_count() const { return 1u << total_bits(); }
  /// Only the 8-bit formats follow ONNX Cast's `saturate`; wider ones are IEEE 754.
  bool follows_saturate() const { return total_bits() == 8; }
};

/// @brief Lets GoogleTest print a parameter as its format name.
inline void PrintTo(const RefLayout& l, std::ostream* os) { *os << l.name; }

inline const RefLayout kRefFp16{"fp16", 5, 10, true};
inline const RefLayout kRefBf16{"bf16", 8, 7, true};
inline const RefLayout kRefFp8E4M3{"fp8_e4m3", 4, 3, false};
inline const RefLayout kRefFp8E5M2{"fp8_e5m2", 5, 2, true};

enum class RefClass { zero, subnormal, normal, infinity, nan };

/// @brief Classifies a pattern from its three fields.
inline RefClass ref_classify(const RefLayout& l, std::uint32_t p) {
  const std::uint32_t field = (p >> l.mantissa_bits) & l.exponent_all_ones();
  const std::uint32_t mant = p & l.mantissa_all_ones();
  if (field == l.exponent_all_ones()) {
    if (l.has_infinity) return mant == 0 ? RefClass::infinity : RefClass::nan;
    if (mant == l.mantissa_all_ones()) return RefClass::nan;
    return RefClass::normal;  // E4M3FN uses the top binade for finite values
  }
  if (field == 0) return mant == 0 ? RefClass::zero : RefClass::subnormal;
  return RefClass::normal;
}

/// @brief The value of a pattern: (-1)^s × significand × 2^(exponent - m), with
/// the significand an integer (mantissa, plus 2^m for normals). NaN for NaN.
inline double ref_decode(const RefLayout& l, std::uint32_t p) {
  const bool negative = (p & l.sign_mask()) != 0;
  const std::uint32_t field = (p >> l.mantissa_bits) & l.exponent_all_ones();
  const std::uint32_t mant = p & l.mantissa_all_ones();
  double magnitude = 0.0;
  switch (ref_classify(l, p)) {
    case RefClass::nan: return negative ? -NAN : NAN;
    case RefClass::infinity: magnitude = INFINITY; break;
    case RefClass::zero: magnitude = 0.0; break;
    case RefClass::subnormal:
      magnitude = std::ldexp(static_cast<double>(mant), 1 - l.bias() - l.mantissa_bits);
      break;
    case RefClass::normal:
      magnitude = std::ldexp(static_cast<double>(mant + (1u << l.mantissa_bits)),
                             static_cast<int>(field) - l.bias() - l.mantissa_bits);
      break;
  }
  return negative ? -magnitude : magnitude;
}

/// @brief Round to nearest, ties to even, by table lookup.
///
/// The table holds every non-negative finite value (from +0 up to max_finite)
/// with its pattern, sorted by value. Beyond max_finite sits one virtual entry:
/// the value the format would have next if its exponent range were unbounded,
/// max_finite + ulp(max_finite), with pattern max_pattern + 1. Rounding picks
/// the nearer neighbour; at an exact midpoint, the one whose pattern is even.
/// Picking the virtual entry means overflow:
/// - IEEE formats: the virtual pattern is the Inf pattern (mantissa 0, even),
///   so |x| >= max + ulp/2 gives Inf, the midpoint itself included (IEEE 754).
/// - E4M3FN: the virtual pattern would be S.1111.111 (odd), so the midpoint
///   464 ties to 448 (S.1111.110) and only |x| > 464 overflows: as IEEE's
///   "round as if the exponent range were unbounded" and ONNX's reference
///   float32_to_float8e4m3 both give.
/// Overflow then gives, by the ONNX Cast `saturate` rule for the 8-bit formats:
/// saturate → ±max_finite; to_inf_or_nan → ±Inf (E5M2) or NaN (E4M3). fp16 and
/// bf16 always give ±Inf. ±Inf inputs follow the same rule.
class RefRounder {
 public:
  explicit RefRounder(const RefLayout& l) : layout_(l) {
    for (std::uint32_t p = 0; p < l.sign_mask(); ++p) {  // sign bit 0
      const RefClass c = ref_classify(l, p);
      if (c == RefClass::nan || c == RefClass::infinity) continue;
      entries_.push_back({ref_decode(l, p), p});
    }
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.value < b.value; });
    for (std::size_t i = 1; i < entries_.size(); ++i) {
      if (!(entries_[i - 1].value < entries_[i].value)) throw std::logic_error("finite values not distinct");
    }
    const Entry& top = entries_.back();
    const Entry& below = entries_[entries_.size() - 2];
    overflow_entry_ = {top.value + (top.value - below.value), top.pattern + 1};
  }

  const RefLayout& layout() const { return layout_; }
  /// @brief All non-negative finite values, ascending (+0 first).
  std::vector<double> finite_values() const {
    std::vector<double> v;
    for (const Entry& e : entries_) v.push_back(e.value);
    return v;
  }
  double max_finite() const { return entries_.back().value; }
  /// @brief The overflow threshold: the midpoint between max_finite and the virtual next value.
  double overflow_midpoint() const { return (entries_.back().value + overflow_entry_.value) / 2; }
  std::uint32_t max_finite_pattern() const { return entries_.back().pattern; }

  std::uint32_t quiet_nan(bool negative) const {
    const std::uint32_t sign = negative ? layout_.sign_mask() : 0u;
    const std::uint32_t exp = layout_.exponent_all_ones() << layout_.mantissa_bits;
    if (!layout_.has_infinity) return sign | exp | layout_.mantissa_all_ones();
    return sign | exp | (1u << (layout_.mantissa_bits - 1));
  }

  std::uint32_t encode(double x, formats::Overflow overflow) const {
    const bool negative = std::signbit(x);
    if (std::isnan(x)) return quiet_nan(negative);
    const std::uint32_t sign = negative ? layout_.sign_mask() : 0u;
    const double a = std::fabs(x);
    if (a >= overflow_entry_.value) return overflowed(negative, overflow);  // Inf included
    // Largest entry <= a, then its upper neighbour (the virtual one past the end).
    const auto it = std::upper_bound(entries_.begin(), entries_.end(), a,
                                     [](double v, const Entry& e) { return v < e.value; });
    const Entry& lo = *(it - 1);
    if (lo.value == a) return sign | lo.pattern;
    const Entry& hi = it == entries_.end() ? overflow_entry_ : *it;
    const double mid = (lo.value + hi.value) / 2;  // exact: both have few significant bits
    const Entry* pick = &lo;
    if (a > mid || (a == mid && (hi.pattern & 1u) == 0)) pick = &hi;
    if (pick == &overflow_entry_) return overflowed(negative, overflow);
    return sign | pick->pattern;
  }

 private:
  struct Entry {
    double value;
    std::uint32_t pattern;
  };

  std::uint32_t overflowed(bool negative, formats::Overflow overflow) const {
    const std::uint32_t sign = negative ? layout_.sign_mask() : 0u;
    if (layout_.follows_saturate() && overflow == formats::Overflow::saturate) return sign | max_finite_pattern();
    if (layout_.has_infinity) return sign | (layout_.exponent_all_ones() << layout_.mantissa_bits);
    return quiet_nan(negative);
  }

  RefLayout layout_;
  std::vector<Entry> entries_;
  Entry overflow_entry_{};
};

}  // namespace quantlab::test
