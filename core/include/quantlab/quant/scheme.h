// quantlab/quant/scheme.h — how real numbers are to be quantized: the scheme,
// the integer grid (bits, sign, narrow range), the granularity and rounding.
//
// The maths is in core/docs/quantization.md; equation numbers cited in the
// sources (Q1, Q2, ...) refer to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quantlab::quant {

/// @brief The shape of an array, outermost dimension first (row-major).
using Shape = std::vector<std::size_t>;

/// @brief Symmetric (real 0 at the grid's middle, range ±max|x|) or affine / asymmetric (Q5–Q8).
enum class Scheme { symmetric, asymmetric };

/// @brief One scale per tensor, per index along an axis, or per group of
/// `group_size` consecutive elements along an axis (Q11).
enum class Granularity { tensor, channel, group };

/// @brief How x / s is rounded to an integer (Q10).
enum class Rounding {
  half_even,   ///< nearest, ties to even (ONNX QuantizeLinear, PyTorch); the default
  half_away,   ///< nearest, ties away from zero (std::round)
  stochastic,  ///< up with probability frac(x / s), from a hash of (seed, element index)
};

/// @brief Everything that defines a quantizer except its parameters.
/// Fields that a granularity does not use are ignored (axis for tensor,
/// group_size for tensor and channel).
struct QuantSpec {
  Scheme scheme = Scheme::asymmetric;  ///< symmetric or affine
  int bits = 8;                        ///< 2..8 or 16
  bool is_signed = true;               ///< grid [-2^(b-1), 2^(b-1)-1], else [0, 2^b-1] (Q3)
  bool narrow_range = false;           ///< drop the lowest code: [-(2^(b-1)-1), ...] or [1, ...] (Q3)
  Granularity granularity = Granularity::tensor;
  int axis = 0;                             ///< channel / group axis; negative counts from the end
  int group_size = 0;                       ///< group granularity: elements per group along `axis`
  Rounding rounding = Rounding::half_even;  ///< rounding of quantize()
  std::uint64_t seed = 0;                   ///< stochastic rounding only
};

/// @brief Smallest integer code of the grid (Q3).
int qmin(const QuantSpec& spec);
/// @brief Largest integer code of the grid (Q3).
int qmax(const QuantSpec& spec);

/// @brief Checks the fields that do not depend on data: bits in 2..8 or 16,
/// enums in range, group_size > 0 for group granularity. Throws InvalidArgument.
void validate(const QuantSpec& spec);

/// @brief validate(spec) plus the checks against an array's shape: the axis
/// exists (channel, group), and group_size divides the axis length.
void validate(const QuantSpec& spec, const Shape& shape);

/// @brief `axis` in [0, rank) for an axis in [-rank, rank); throws InvalidArgument otherwise.
std::size_t normalize_axis(int axis, std::size_t rank);

/// @brief "symmetric", "asymmetric"; "tensor", "channel", "group"; "half_even", "half_away", "stochastic".
const char* to_string(Scheme s);
const char* to_string(Granularity g);
const char* to_string(Rounding r);

/// @brief The inverses of to_string; unknown names throw InvalidArgument listing the valid ones.
Scheme parse_scheme(std::string_view name);
Granularity parse_granularity(std::string_view name);
Rounding parse_rounding(std::string_view name);

/// @brief "[2, 3, 4]", for messages.
std::string shape_to_string(const Shape& shape);

}  // namespace quantlab::quant
