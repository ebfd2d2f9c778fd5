// JSON helpers shared by the CLI commands.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>

namespace quantlab::cli {

/// JSON has no NaN or infinity: such numbers are written as the strings
/// "nan", "inf" and "-inf" (documented in the README).
inline nlohmann::json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

}  // namespace quantlab::cli
