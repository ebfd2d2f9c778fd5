// quantlab/formats/codec.h — bit-exact encode / decode of every format.
#pragma once

#include <cstdint>

#include "quantlab/formats/format_spec.h"

namespace quantlab::formats {

/// @brief What a stored pattern is.
enum class ValueClass { zero, subnormal, normal, infinity, nan, integer };

/// @brief "zero", "subnormal", "normal", "infinity", "nan", "integer".
const char* to_string(ValueClass c);

/// @brief Overflow policy for fp8, as the `saturate` attribute of ONNX Cast.
/// With saturation, finite overflow and ±Inf become ±max_finite; without it they
/// become ±Inf (E5M2) or NaN (E4M3, which has no infinity). fp32/fp16/bf16
/// always follow IEEE 754 (overflow gives ±Inf) and ignore this.
enum class Overflow { saturate, to_inf_or_nan };

/// @brief Encodes `value` with round-to-nearest, ties-to-even (F6).
/// Floats: NaN becomes the format's quiet NaN with the sign kept.
/// Integers: the value is rounded half-to-even and clamped to [qmin, qmax];
/// NaN and ±Inf throw InvalidArgument. The result is the pattern in the low
/// `total_bits` bits.
std::uint32_t encode(const FormatSpec& spec, double value, Overflow overflow = Overflow::saturate);

/// @brief Converts an fp32 bit pattern, keeping NaN payloads as hardware does:
/// sign kept, quiet bit set, the top payload bits truncated (F16C's behaviour
/// for fp16). E4M3 has a single NaN per sign.
std::uint32_t encode_fp32_bits(const FormatSpec& spec, std::uint32_t fp32_bits,
                               Overflow overflow = Overflow::saturate);

/// @brief The exact value of a pattern (F1, F2). Bits above total_bits must be 0,
/// else InvalidArgument.
double decode(const FormatSpec& spec, std::uint32_t pattern);

/// @brief The class of a pattern.
ValueClass classify(const FormatSpec& spec, std::uint32_t pattern);

}  // namespace quantlab::formats
