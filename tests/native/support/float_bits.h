// support/float_bits.h — bit casts (memcpy, no UB) and hex text for test messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace quantlab::test {

/// @brief The IEEE binary32 bits of `f`.
inline std::uint32_t float_to_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

/// @brief The float whose binary32 bits are `u`.
inline float bits_to_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// @brief The IEEE binary64 bits of `d`.
inline std::uint64_t double_to_bits(double d) {
  std::uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

/// @brief The double whose binary64 bits are `u`.
inline double bits_to_double(std::uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

/// @brief "0x7bff": a pattern in hex, at least `digits` digits.
inline std::string hex(std::uint64_t v, int digits = 1) {
  std::string out;
  for (int i = 0; i < 16 && (v >> (4 * i)) != 0; ++i) out.insert(out.begin(), "0123456789abcdef"[(v >> (4 * i)) & 0xf]);
  while (static_cast<int>(out.size()) < digits) out.insert(out.begin(), '0');
  return "0x" + out;
}

/// @brief A double for a failure message: its bits, hex-float and decimal text,
/// e.g. "0x40efffe000000000 (0x1.fffep+15 = 65520)".
inline std::string describe_double(double d) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s (%a = %.17g)", hex(double_to_bits(d), 16).c_str(), d, d);
  return buf;
}

/// @brief A float for a failure message: its bits, hex-float and decimal text.
inline std::string describe_float(float f) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s (%a = %.9g)", hex(float_to_bits(f), 8).c_str(), static_cast<double>(f),
                static_cast<double>(f));
  return buf;
}

/// @brief True when both are NaN or both have the same bits (so -0 != +0).
inline bool same_double(double a, double b) {
  return (a != a && b != b) || double_to_bits(a) == double_to_bits(b);
}

}  // namespace quantlab::test
