// Converting JS tensors ({ data: TypedArray | number[], shape: number[] }) to
// xtensor arrays and back. Data is copied in both directions: a view into the
// wasm heap would be invalidated by memory growth (TOOLCHAIN.md trap 9).
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace quantlab::wasm {

/// Reads `data` and `shape` from a JS tensor object; checks the shape (integers
/// >= 0, rank <= 8, product == data.length, no overflow) and throws
/// InvalidArgument naming `what` otherwise.
xt::xarray<float> to_float_array(const emscripten::val& tensor, const char* what);
xt::xarray<std::int32_t> to_int_array(const emscripten::val& tensor, const char* what);

/// A JS copy of a contiguous buffer as the given typed array class.
emscripten::val float32_array(const float* data, std::size_t n);
emscripten::val int32_array(const std::int32_t* data, std::size_t n);
emscripten::val float64_array(const double* data, std::size_t n);

/// { data: Float32Array | Int32Array, shape: number[] }
emscripten::val to_js_tensor(const xt::xarray<float>& a);
emscripten::val to_js_tensor(const xt::xarray<std::int32_t>& a);

/// Reads an optional property of an options object, with a default.
std::string opt_string(const emscripten::val& o, const char* key, const std::string& fallback);
double opt_number(const emscripten::val& o, const char* key, double fallback);
int opt_int(const emscripten::val& o, const char* key, int fallback);
bool opt_bool(const emscripten::val& o, const char* key, bool fallback);

}  // namespace quantlab::wasm
