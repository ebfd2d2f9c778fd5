// run_benchmark — times one kernel case on random data (median of samples).
#include "quantlab/kernels/benchmark.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "quantlab/error.h"
#include "quantlab/kernels/conv.h"
#include "quantlab/kernels/gemm.h"
#include "size_check.h"

namespace quantlab::kernels {

namespace {

using Clock = std::chrono::steady_clock;

// xorshift32: deterministic data, no <random> distribution differences between builds.
struct Random {
  std::uint32_t s = 0x2545F491u;
  std::uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
  float uniform() { return static_cast<float>(next() >> 8) * (2.0f / 16777216.0f) - 1.0f; }  // [-1, 1)
};

template <class T>
std::vector<T> random_bytes(Random& r, std::size_t n) {
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(r.next() >> 24);
  return v;
}

std::vector<float> random_floats(Random& r, std::size_t n) {
  std::vector<float> v(n);
  for (auto& x : v) x = r.uniform();
  return v;
}

double elapsed_ms(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void check_dim(std::size_t v, const char* name) {
  if (v == 0 || v > 65536) throw InvalidArgument(std::string(name) + " must be in 1..65536");
}

// Warm-up, then `samples` samples of equal iteration counts; the median time per run.
BenchmarkResult time_runs(const std::function<void()>& run, const BenchmarkSpec& spec, double ops) {
  // Warm-up: at least two runs and 20 ms, so V8 has tiered the kernels up.
  std::size_t warm_runs = 0;
  const Clock::time_point w0 = Clock::now();
  do {
    run();
    ++warm_runs;
  } while (warm_runs < 2 || elapsed_ms(w0) < 20.0);
  const double per_run = elapsed_ms(w0) / static_cast<double>(warm_runs);
  const int samples = std::max(1, spec.samples);
  const double per_sample = std::max(0.0, spec.min_time_ms) / samples;
  const auto iterations = static_cast<std::size_t>(std::max(1.0, std::floor(per_sample / std::max(per_run, 1e-6))));
  std::vector<double> ms;
  for (int s = 0; s < samples; ++s) {
    const Clock::time_point t0 = Clock::now();
    for (std::size_t i = 0; i < iterations; ++i) run();
    ms.push_back(elapsed_ms(t0) / static_cast<double>(iterations));
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms.size() % 2 == 1 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
  BenchmarkResult r;
  r.kernel = spec.kernel;
  r.dtype = spec.dtype;
  r.ms = median;
  r.gops = median > 0 ? ops / (median * 1e6) : 0.0;
  r.iterations = iterations * static_cast<std::size_t>(samples);
  return r;
}

BenchmarkResult gemm_case(const BenchmarkSpec& spec, Isa isa, std::size_t m) {
  const std::size_t k = spec.k;
  const std::size_t n = spec.n;
  check_dim(m, "m");
  check_dim(k, "k");
  check_dim(n, "n");
  detail::check_elements(detail::checked_mul(m, k, "A"), "A");
  detail::check_elements(detail::checked_mul(k, n, "B"), "B");
  detail::check_elements(detail::checked_mul(m, n, "C"), "C");
  Random rng;
  const double ops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  BenchmarkResult r;
  if (spec.dtype == "fp32") {
    const std::vector<float> a = random_floats(rng, m * k);
    const std::vector<float> b = random_floats(rng, k * n);
    const PackedWeightsF32 w = pack_weights_f32(k, n, b.data(), n, nullptr);
    std::vector<float> c(m * n);
    r = time_runs([&] { gemm_f32(m, a.data(), k, w, c.data(), n, kNoClamp, isa); }, spec, ops);
  } else {
    if (k > kMaxQ8K) throw InvalidArgument("int8 benchmarks need k <= 32768");
    const std::vector<std::uint8_t> a = random_bytes<std::uint8_t>(rng, m * k);
    const std::vector<std::int8_t> b = random_bytes<std::int8_t>(rng, k * n);
    const PackedWeightsQs8 w = pack_weights_qs8(k, n, b.data(), n, {0}, {});
    std::vector<std::uint8_t> c(m * n);
    Q8Input in;
    in.u8 = a.data();
    in.stride = k;
    in.zero_point = 128;
    Q8Output out;
    out.u8 = c.data();
    out.stride = n;
    out.scale = {1.0f / (64.0f * static_cast<float>(k))};
    out.zero_point = 128;
    out.min = 0;
    out.max = 255;
    r = time_runs([&] { gemm_q8(m, in, w, out, isa); }, spec, ops);
  }
  r.shape = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
  return r;
}

// The geometry of a conv/dwconv case: square kernel, "same" padding, stride, groups.
Conv2dShape conv_shape(const BenchmarkSpec& spec, bool depthwise) {
  check_dim(spec.height, "height");
  check_dim(spec.width, "width");
  check_dim(spec.in_channels, "in_channels");
  check_dim(spec.out_channels, "out_channels");
  check_dim(spec.stride, "stride");
  check_dim(spec.groups, "groups");
  if (spec.kernel_size == 0 || spec.kernel_size > 15 || spec.kernel_size % 2 == 0) {
    throw InvalidArgument("kernel_size must be odd, 1..15");
  }
  Conv2dShape s;
  s.in_height = spec.height;
  s.in_width = spec.width;
  s.in_channels = spec.in_channels;
  s.out_channels = depthwise ? spec.in_channels : spec.out_channels;
  s.groups = depthwise ? spec.in_channels : spec.groups;
  s.kernel_height = s.kernel_width = spec.kernel_size;
  s.stride_height = s.stride_width = spec.stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = spec.kernel_size / 2;
  s.check();
  return s;
}

// "28x28x64x64k3", then "s2" for stride 2 and "g16" for 16 groups.
std::string conv_shape_string(const Conv2dShape& s) {
  std::string out = std::to_string(s.in_height) + "x" + std::to_string(s.in_width) + "x" + std::to_string(s.in_channels) + "x" +
                    std::to_string(s.out_channels) + "k" + std::to_string(s.kernel_height);
  if (s.stride_height != 1) out += "s" + std::to_string(s.stride_height);
  if (s.groups != 1) out += "g" + std::to_string(s.groups);
  return out;
}

// 2 × multiply-adds of one convolution.
double conv_ops(const Conv2dShape& s) {
  return 2.0 * static_cast<double>(s.out_height() * s.out_width()) * static_cast<double>(s.gemm_k()) *
         static_cast<double>(s.out_channels);
}

// The uint8 input (zero point 128) and output every int8 convolution case uses;
// the scale keeps typical outputs inside the type.
struct Q8ConvBuffers {
  std::vector<std::uint8_t> x, y;
  Q8Input in;
  Q8Output out;
  Q8ConvBuffers(Random& rng, const Conv2dShape& s)
      : x(random_bytes<std::uint8_t>(rng, s.in_height * s.in_width * s.in_channels)),
        y(s.out_height() * s.out_width() * s.out_channels) {
    in.u8 = x.data();
    in.zero_point = 128;
    out.u8 = y.data();
    out.scale = {1.0f / (64.0f * static_cast<float>(s.gemm_k()))};
    out.zero_point = 128;
  }
};

BenchmarkResult conv_case(const BenchmarkSpec& spec, Isa isa) {
  const Conv2dShape s = conv_shape(spec, false);
  Random rng;
  const std::size_t in_elems = s.in_height * s.in_width * s.in_channels;
  const std::size_t out_elems = s.out_height() * s.out_width() * s.out_channels;
  const std::size_t w_elems = s.gemm_k() * s.out_channels;
  BenchmarkResult r;
  if (spec.dtype == "fp32") {
    const std::vector<float> x = random_floats(rng, in_elems);
    const std::vector<float> wt = random_floats(rng, w_elems);
    const PackedConvF32 w = pack_conv2d_f32(s, wt.data(), nullptr);
    std::vector<float> y(out_elems);
    r = time_runs([&] { conv2d_f32(w, x.data(), y.data(), kNoClamp, isa); }, spec, conv_ops(s));
  } else {
    Q8ConvBuffers q(rng, s);
    const std::vector<std::int8_t> wt = random_bytes<std::int8_t>(rng, w_elems);
    const PackedConvQs8 w = pack_conv2d_qs8(s, wt.data(), {0}, {});
    r = time_runs([&] { conv2d_q8(w, q.in, q.out, isa); }, spec, conv_ops(s));
  }
  r.shape = conv_shape_string(s);
  return r;
}

// The direct depthwise kernel; the same data as conv_case on the same shape.
BenchmarkResult dwconv_case(const BenchmarkSpec& spec, Isa isa) {
  if (spec.dtype != "int8") {
    throw InvalidArgument("dwconv is int8 only; time fp32 depthwise as kernel 'conv' with groups = channels");
  }
  const Conv2dShape s = conv_shape(spec, true);
  Random rng;
  Q8ConvBuffers q(rng, s);
  const std::vector<std::int8_t> wt = random_bytes<std::int8_t>(rng, s.gemm_k() * s.out_channels);
  const PackedDwConvQs8 w = pack_dwconv2d_qs8(s, wt.data(), {0}, {});
  BenchmarkResult r = time_runs([&] { dwconv2d_q8(w, q.in, q.out, isa); }, spec, conv_ops(s));
  r.shape = conv_shape_string(s);
  return r;
}

}  // namespace

BenchmarkResult run_benchmark(const BenchmarkSpec& spec) {
  if (spec.dtype != "fp32" && spec.dtype != "int8") {
    throw InvalidArgument("unknown dtype '" + spec.dtype + "' (expected fp32 or int8)");
  }
  if (!(spec.min_time_ms >= 0 && spec.min_time_ms <= 600000)) throw InvalidArgument("min_time_ms must be in 0..600000");
  if (spec.samples < 1 || spec.samples > 1000) throw InvalidArgument("samples must be in 1..1000");
  const Isa isa = parse_isa(spec.impl);
  BenchmarkResult r;
  if (spec.kernel == "gemm") {
    r = gemm_case(spec, isa, spec.m);
  } else if (spec.kernel == "matvec") {
    r = gemm_case(spec, isa, 1);
  } else if (spec.kernel == "conv") {
    r = conv_case(spec, isa);
  } else if (spec.kernel == "dwconv") {
    r = dwconv_case(spec, isa);
  } else {
    throw InvalidArgument("unknown kernel '" + spec.kernel + "' (expected gemm, matvec, conv or dwconv)");
  }
  r.impl = to_string(isa);
  return r;
}

std::vector<BenchmarkSpec> standard_benchmarks(const std::string& impl, double min_time_ms) {
  std::vector<BenchmarkSpec> out;
  for (const char* dtype : {"fp32", "int8"}) {
    BenchmarkSpec s;
    s.dtype = dtype;
    s.impl = impl;
    s.min_time_ms = min_time_ms;
    s.kernel = "gemm";
    s.m = 256, s.k = 256, s.n = 256;
    out.push_back(s);
    s.m = 64, s.k = 1024, s.n = 1024;
    out.push_back(s);
    s.kernel = "matvec";
    s.m = 1, s.k = 4096, s.n = 4096;
    out.push_back(s);
    s.kernel = "conv";
    s.m = s.k = s.n = 0;
    s.height = 28, s.width = 28, s.in_channels = 64, s.out_channels = 64, s.kernel_size = 3;
    out.push_back(s);
  }
  return out;
}

std::vector<BenchmarkSpec> depthwise_benchmarks(const std::string& impl, double min_time_ms) {
  struct Plane {
    std::size_t size, channels, stride;
  };
  // fashion_dwcnn's block1.0, block2.0, block3.0/block4.0, and a larger plane.
  const Plane planes[] = {{14, 24, 1}, {14, 48, 2}, {7, 96, 1}, {28, 16, 1}};
  std::vector<BenchmarkSpec> out;
  for (const Plane& p : planes) {
    BenchmarkSpec s;
    s.impl = impl;
    s.min_time_ms = min_time_ms;
    s.m = s.k = s.n = 0;
    s.height = s.width = p.size;
    s.in_channels = s.out_channels = s.groups = p.channels;
    s.kernel_size = 3;
    s.stride = p.stride;
    s.kernel = "conv";
    s.dtype = "fp32";
    out.push_back(s);
    s.dtype = "int8";
    out.push_back(s);
    s.kernel = "dwconv";
    out.push_back(s);
  }
  return out;
}

}  // namespace quantlab::kernels
