// quantlab/kernels/isa.h — which instruction set a kernel is written for.
#pragma once

#include <string>
#include <vector>

namespace quantlab::kernels {

/// @brief The instruction sets kernels exist for. `scalar` is portable C++
/// compiled without auto-vectorization (the honest baseline); `wasmsimd` is
/// WebAssembly SIMD128 and exists only in builds with `-msimd128`.
enum class Isa { scalar, wasmsimd };

/// @brief "scalar" or "simd" (the names the benchmark and the JS API use).
const char* to_string(Isa isa);

/// @brief Parses "scalar" or "simd" (also "wasmsimd"); throws InvalidArgument
/// for other names and for "simd" in a build without SIMD kernels.
Isa parse_isa(const std::string& name);

/// @brief The instruction sets compiled into this build, scalar first.
std::vector<Isa> available_isas();

/// @brief The fastest instruction set compiled into this build.
Isa best_isa();

}  // namespace quantlab::kernels
