// Bindings of core/kernels: benchmarks run inside wasm (for the Speed panel and
// `npm run bench`), kernel information, and small GEMMs for correctness demos.
// Inputs are copied in from JS typed arrays; results are returned as fresh
// typed arrays (JS owns them; nothing needs .delete()).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "guard.h"
#include "quantlab/error.h"
#include "quantlab/kernels/benchmark.h"
#include "quantlab/kernels/config.h"
#include "quantlab/kernels/gemm.h"

namespace quantlab::wasm {
namespace {

using emscripten::val;
namespace qk = quantlab::kernels;

// A field of a JS options object: a finite number, or `fallback` when absent.
double number_field(const val& o, const char* key, double fallback) {
  const val v = o[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (!v.isNumber()) throw InvalidArgument(std::string(key) + " must be a number");
  const double d = v.as<double>();
  if (!std::isfinite(d)) throw InvalidArgument(std::string(key) + " must be finite");
  return d;
}

// A non-negative integer field (sizes).
std::size_t size_field(const val& o, const char* key, std::size_t fallback) {
  const double d = number_field(o, key, static_cast<double>(fallback));
  if (d < 0 || d > 1e9 || d != std::floor(d)) throw InvalidArgument(std::string(key) + " must be a non-negative integer");
  return static_cast<std::size_t>(d);
}

std::int32_t int_field(const val& o, const char* key, std::int32_t fallback) {
  const double d = number_field(o, key, fallback);
  if (d != std::floor(d) || d < -2147483648.0 || d > 2147483647.0) throw InvalidArgument(std::string(key) + " must be an integer");
  return static_cast<std::int32_t>(d);
}

std::string string_field(const val& o, const char* key, const std::string& fallback) {
  const val v = o[key];
  if (v.isUndefined() || v.isNull()) return fallback;
  if (!v.isString()) throw InvalidArgument(std::string(key) + " must be a string");
  return v.as<std::string>();
}

val to_js(const qk::BenchmarkResult& r) {
  val o = val::object();
  o.set("kernel", r.kernel);
  o.set("dtype", r.dtype);
  o.set("impl", r.impl);
  o.set("shape", r.shape);
  o.set("ms", r.ms);
  o.set("gops", r.gops);
  o.set("iterations", static_cast<double>(r.iterations));
  return o;
}

val spec_to_js(const qk::BenchmarkSpec& s) {
  val o = val::object();
  o.set("kernel", s.kernel);
  o.set("dtype", s.dtype);
  o.set("impl", s.impl);
  if (s.kernel == "conv" || s.kernel == "dwconv") {
    o.set("height", static_cast<double>(s.height));
    o.set("width", static_cast<double>(s.width));
    o.set("inChannels", static_cast<double>(s.in_channels));
    o.set("outChannels", static_cast<double>(s.out_channels));
    o.set("kernelSize", static_cast<double>(s.kernel_size));
    if (s.stride != 1) o.set("stride", static_cast<double>(s.stride));
    if (s.groups != 1) o.set("groups", static_cast<double>(s.groups));
  } else {
    o.set("m", static_cast<double>(s.m));
    o.set("k", static_cast<double>(s.k));
    o.set("n", static_cast<double>(s.n));
  }
  o.set("minTimeMs", s.min_time_ms);
  return o;
}

val benchmark_kernel(val spec) {
  if (spec.typeOf().as<std::string>() != "object" || spec.isNull()) throw InvalidArgument("benchmarkKernel expects an options object");
  qk::BenchmarkSpec s;
  s.kernel = string_field(spec, "kernel", s.kernel);
  s.dtype = string_field(spec, "dtype", s.dtype);
  s.impl = string_field(spec, "impl", s.impl);
  s.m = size_field(spec, "m", s.kernel == "matvec" ? 1 : s.m);
  s.k = size_field(spec, "k", s.k);
  s.n = size_field(spec, "n", s.n);
  s.height = size_field(spec, "height", s.height);
  s.width = size_field(spec, "width", s.width);
  s.in_channels = size_field(spec, "inChannels", s.in_channels);
  s.out_channels = size_field(spec, "outChannels", s.out_channels);
  s.kernel_size = size_field(spec, "kernelSize", s.kernel_size);
  s.stride = size_field(spec, "stride", s.stride);
  s.groups = size_field(spec, "groups", s.groups);
  s.min_time_ms = number_field(spec, "minTimeMs", s.min_time_ms);
  s.samples = static_cast<int>(size_field(spec, "samples", static_cast<std::size_t>(s.samples)));
  if (s.kernel == "matvec" && s.m != 1) throw InvalidArgument("matvec has m = 1 (batch 1); use kernel 'gemm' for m > 1");
  return to_js(qk::run_benchmark(s));
}

val standard_benchmarks(std::string impl, double min_time_ms) {
  qk::parse_isa(impl);  // rejects unknown or unavailable names
  val list = val::array();
  for (const qk::BenchmarkSpec& s : qk::standard_benchmarks(impl, min_time_ms)) list.call<void>("push", spec_to_js(s));
  return list;
}

val kernel_info() {
  val isas = val::array();
  for (qk::Isa isa : qk::available_isas()) isas.call<void>("push", std::string(qk::to_string(isa)));
  val o = val::object();
  o.set("impls", isas);
  o.set("simd", qk::best_isa() == qk::Isa::wasmsimd);
  val kernels = val::object();
  for (qk::Isa isa : qk::available_isas()) {
    const bool simd = isa == qk::Isa::wasmsimd;
    val k = val::object();
    k.set("f32Gemm", std::string(simd ? "f32_gemm_4x8__wasmsimd" : "f32_gemm_4x8__scalar"));
    k.set("f32Matvec", std::string(simd ? "f32_gemm_1x32__wasmsimd" : "f32_gemm_1x32__scalar"));
    k.set("int8Gemm", std::string(simd ? "qs8_gemm_4x8c2__wasmsimd_dot16x2" : "qs8_gemm_4x8c2__scalar"));
    k.set("int8Matvec", std::string(simd ? "qs8_gemm_1x32c2__wasmsimd_dot16x2" : "qs8_gemm_1x32c2__scalar"));
    k.set("requant", std::string(simd ? "requant_qs32_qu8_fp32__wasmsimd" : "requant_qs32_qu8_fp32__scalar"));
    k.set("int8Dwconv", std::string(simd ? "dwconv_qu8_qu8_fp32_8c2__wasmsimd_dot16x2" : "dwconv_qu8_qu8_fp32_8c2__scalar"));
    kernels.set(qk::to_string(isa), k);
  }
  o.set("kernels", kernels);
  return o;
}

template <class T>
std::vector<T> typed_vector(const val& o, const char* key) {
  const val v = o[key];
  if (v.isUndefined() || v.isNull()) return {};
  return emscripten::convertJSArrayToNumberVector<T>(v);
}

template <class T>
val to_typed_array(const std::vector<T>& v) {
  return val(emscripten::typed_memory_view(v.size(), v.data())).call<val>("slice");
}

void check_length(std::size_t got, std::size_t want, const char* what) {
  if (got != want) {
    throw InvalidArgument(std::string(what) + " has " + std::to_string(got) + " elements, expected " + std::to_string(want));
  }
}

// C (m×n) = A (m×k) · B (k×n) + bias, all row-major fp32.
val gemm_f32(val options) {
  const std::size_t m = size_field(options, "m", 0), k = size_field(options, "k", 0), n = size_field(options, "n", 0);
  if (m == 0 || k == 0 || n == 0) throw InvalidArgument("m, k and n must be >= 1");
  const std::vector<float> a = typed_vector<float>(options, "a");
  const std::vector<float> b = typed_vector<float>(options, "b");
  const std::vector<float> bias = typed_vector<float>(options, "bias");
  check_length(a.size(), m * k, "a");
  check_length(b.size(), k * n, "b");
  if (!bias.empty()) check_length(bias.size(), n, "bias");
  const qk::Isa isa = qk::parse_isa(string_field(options, "impl", qk::to_string(qk::best_isa())));
  const qk::PackedWeightsF32 w = qk::pack_weights_f32(k, n, b.data(), n, bias.empty() ? nullptr : bias.data());
  std::vector<float> c(m * n);
  qk::gemm_f32(m, a.data(), k, w, c.data(), n, qk::kNoClamp, isa);
  return to_typed_array(c);
}

// uint8/int8 A × int8 B with zero points, to int32 / fp32 / uint8 / int8.
val gemm_int8(val options) {
  const std::size_t m = size_field(options, "m", 0), k = size_field(options, "k", 0), n = size_field(options, "n", 0);
  if (m == 0 || k == 0 || n == 0) throw InvalidArgument("m, k and n must be >= 1");
  const bool a_signed = options["aSigned"].as<bool>();
  const std::vector<std::int32_t> a = typed_vector<std::int32_t>(options, "a");
  const std::vector<std::int8_t> b = typed_vector<std::int8_t>(options, "b");
  check_length(a.size(), m * k, "a");
  check_length(b.size(), k * n, "b");
  std::vector<std::uint8_t> a_u8;
  std::vector<std::int8_t> a_s8;
  for (std::int32_t v : a) {
    if (a_signed ? (v < -128 || v > 127) : (v < 0 || v > 255)) throw InvalidArgument("a value is outside its 8-bit type");
    if (a_signed) a_s8.push_back(static_cast<std::int8_t>(v)); else a_u8.push_back(static_cast<std::uint8_t>(v));
  }
  std::vector<std::int32_t> b_zero_point = typed_vector<std::int32_t>(options, "bZeroPoint");
  if (b_zero_point.empty()) b_zero_point.push_back(0);
  const std::vector<std::int32_t> bias = typed_vector<std::int32_t>(options, "bias");
  const qk::Isa isa = qk::parse_isa(string_field(options, "impl", qk::to_string(qk::best_isa())));
  const qk::PackedWeightsQs8 w = qk::pack_weights_qs8(k, n, b.data(), n, b_zero_point, bias);
  qk::Q8Input in;
  if (a_signed) in.s8 = a_s8.data(); else in.u8 = a_u8.data();
  in.stride = k;
  in.zero_point = int_field(options, "aZeroPoint", 0);
  const std::string output = string_field(options, "output", "int32");
  if (output == "int32") {
    std::vector<std::int32_t> c(m * n);
    qk::gemm_q8_s32(m, in, w, c.data(), n, isa);
    return to_typed_array(c);
  }
  std::vector<float> scale = typed_vector<float>(options, "scale");
  if (scale.empty()) throw InvalidArgument("output '" + output + "' needs scale (1 or n values)");
  if (output == "fp32") {
    std::vector<float> c(m * n);
    qk::F32Output out;
    out.data = c.data();
    out.stride = n;
    out.scale = scale;
    out.bias = typed_vector<float>(options, "floatBias");
    qk::gemm_q8_f32(m, in, w, out, isa);
    return to_typed_array(c);
  }
  qk::Q8Output out;
  out.stride = n;
  out.scale = scale;
  out.zero_point = int_field(options, "outputZeroPoint", 0);
  if (output == "uint8") {
    out.min = int_field(options, "min", 0);
    out.max = int_field(options, "max", 255);
    std::vector<std::uint8_t> c(m * n);
    out.u8 = c.data();
    qk::gemm_q8(m, in, w, out, isa);
    return to_typed_array(c);
  }
  if (output == "int8") {
    out.min = int_field(options, "min", -128);
    out.max = int_field(options, "max", 127);
    std::vector<std::int8_t> c(m * n);
    out.s8 = c.data();
    qk::gemm_q8(m, in, w, out, isa);
    return to_typed_array(c);
  }
  throw InvalidArgument("unknown output '" + output + "' (expected int32, fp32, uint8 or int8)");
}

}  // namespace
}  // namespace quantlab::wasm

EMSCRIPTEN_BINDINGS(quantlab_kernels) {
  using namespace quantlab::wasm;
  emscripten::function("kernelBenchmark", QL_GUARD(benchmark_kernel));
  emscripten::function("kernelStandardBenchmarks", QL_GUARD(standard_benchmarks));
  emscripten::function("kernelInfo", QL_GUARD(kernel_info));
  emscripten::function("kernelGemmF32", QL_GUARD(gemm_f32));
  emscripten::function("kernelGemmInt8", QL_GUARD(gemm_int8));
}
