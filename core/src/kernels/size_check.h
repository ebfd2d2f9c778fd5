// size_check.h (internal) — overflow-checked size arithmetic for the kernels.
#pragma once

#include <cstddef>
#include <limits>
#include <string>

#include "quantlab/error.h"

namespace quantlab::kernels::detail {

/// a * b, or InvalidArgument naming `what` when the product overflows size_t.
inline std::size_t checked_mul(std::size_t a, std::size_t b, const char* what) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) {
    throw InvalidArgument(std::string(what) + " is too large (size overflow)");
  }
  return a * b;
}

inline std::size_t round_up(std::size_t v, std::size_t q) { return (v + q - 1) / q * q; }
inline std::size_t divide_round_up(std::size_t v, std::size_t q) { return (v + q - 1) / q; }

/// Largest number of elements one matrix argument may have (2^28): keeps every
/// buffer far below the 4 GiB of wasm32 and every index inside size_t.
inline constexpr std::size_t kMaxElements = std::size_t{1} << 28;

inline void check_elements(std::size_t count, const char* what) {
  if (count > kMaxElements) throw InvalidArgument(std::string(what) + " has more than 2^28 elements");
}

}  // namespace quantlab::kernels::detail
