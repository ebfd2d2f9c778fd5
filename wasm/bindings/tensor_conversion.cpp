#include "tensor_conversion.h"

#include <emscripten/bind.h>

#include <cmath>
#include <limits>

#include <xtensor/xadapt.hpp>

#include "quantlab/error.h"

namespace quantlab::wasm {
namespace {

using emscripten::val;

constexpr std::size_t kMaxRank = 8;

std::vector<std::size_t> read_shape(const val& tensor, std::size_t length, const char* what) {
  const val shape = tensor["shape"];
  if (shape.isUndefined() || shape.isNull()) return {length};  // a bare 1-D tensor
  if (!shape.isArray()) throw InvalidArgument(std::string(what) + ".shape must be an array of integers");
  const auto rank = shape["length"].as<std::size_t>();
  if (rank > kMaxRank) throw InvalidArgument(std::string(what) + ": rank " + std::to_string(rank) + " is above 8");
  std::vector<std::size_t> dims;
  std::size_t product = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    const val d = shape[i];
    const double v = d.isNumber() ? d.as<double>() : -1.0;
    if (!(v >= 0) || std::floor(v) != v || v > 4294967295.0) {
      throw InvalidArgument(std::string(what) + ".shape[" + std::to_string(i) + "] must be an integer >= 0");
    }
    const auto dim = static_cast<std::size_t>(v);
    if (dim != 0 && product > std::numeric_limits<std::size_t>::max() / dim) {
      throw InvalidArgument(std::string(what) + ": the product of the shape overflows");
    }
    product *= dim;
    dims.push_back(dim);
  }
  if (product != length) {
    throw InvalidArgument(std::string(what) + ": shape holds " + std::to_string(product) + " elements but data has " +
                          std::to_string(length));
  }
  return dims;
}

template <typename T>
xt::xarray<T> to_array(const val& tensor, const char* what) {
  if (tensor.isUndefined() || tensor.isNull()) throw InvalidArgument(std::string(what) + " is missing");
  // A typed array or plain array alone is a 1-D tensor.
  const bool bare = tensor["length"].isNumber();
  const val data = bare ? tensor : tensor["data"];
  if (data.isUndefined() || !data["length"].isNumber()) {
    throw InvalidArgument(std::string(what) + " must be a typed array or { data, shape }");
  }
  std::vector<T> values = emscripten::convertJSArrayToNumberVector<T>(data);
  const auto shape = read_shape(bare ? val::object() : tensor, values.size(), what);
  xt::xarray<T> a = xt::adapt(values, shape);
  return a;
}

val shape_to_js(const xt::xarray<float>::shape_type& shape) {
  val s = val::array();
  for (auto d : shape) s.call<void>("push", static_cast<double>(d));
  return s;
}

template <typename T>
val typed_copy(const T* data, std::size_t n) {
  // Copy out of the heap at once: the view is valid only until the next allocation.
  return val(emscripten::typed_memory_view(n, data)).call<val>("slice");
}

}  // namespace

xt::xarray<float> to_float_array(const val& tensor, const char* what) { return to_array<float>(tensor, what); }
xt::xarray<std::int32_t> to_int_array(const val& tensor, const char* what) {
  return to_array<std::int32_t>(tensor, what);
}

val float32_array(const float* data, std::size_t n) { return typed_copy(data, n); }
val int32_array(const std::int32_t* data, std::size_t n) { return typed_copy(data, n); }
val float64_array(const double* data, std::size_t n) { return typed_copy(data, n); }

val to_js_tensor(const xt::xarray<float>& a) {
  val o = val::object();
  o.set("data", float32_array(a.data(), a.size()));
  o.set("shape", shape_to_js(a.shape()));
  return o;
}

val to_js_tensor(const xt::xarray<std::int32_t>& a) {
  val o = val::object();
  o.set("data", int32_array(a.data(), a.size()));
  o.set("shape", shape_to_js(a.shape()));
  return o;
}

std::string opt_string(const val& o, const char* key, const std::string& fallback) {
  const val v = o[key];
  if (v.isUndefined()) return fallback;
  if (!v.isString()) throw InvalidArgument(std::string("option ") + key + " must be a string");
  return v.as<std::string>();
}

double opt_number(const val& o, const char* key, double fallback) {
  const val v = o[key];
  if (v.isUndefined()) return fallback;
  if (!v.isNumber()) throw InvalidArgument(std::string("option ") + key + " must be a number");
  return v.as<double>();
}

int opt_int(const val& o, const char* key, int fallback) {
  const double v = opt_number(o, key, fallback);
  if (std::floor(v) != v || std::fabs(v) > 1e9) throw InvalidArgument(std::string("option ") + key + " must be an integer");
  return static_cast<int>(v);
}

bool opt_bool(const val& o, const char* key, bool fallback) {
  const val v = o[key];
  if (v.isUndefined()) return fallback;
  if (!v.isTrue() && !v.isFalse()) throw InvalidArgument(std::string("option ") + key + " must be true or false");
  return v.isTrue();
}

}  // namespace quantlab::wasm
