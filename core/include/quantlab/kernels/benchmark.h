// quantlab/kernels/benchmark.h — timing the kernels on random data.
//
// Shared by `quantlab bench` (native), the npm package's benchmarkKernel()
// and `npm run bench`, so all three time exactly the same work.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace quantlab::kernels {

/// @brief One benchmark case. GEMM and matvec are M×K×N (matvec: M = 1);
/// conv is a batch-1 NHWC convolution, square kernel, stride 1, "same" padding.
struct BenchmarkSpec {
  std::string kernel = "gemm";  ///< "gemm" | "matvec" | "conv"
  std::string dtype = "fp32";   ///< "fp32" | "int8"
  std::string impl = "simd";    ///< "scalar" | "simd"
  std::size_t m = 256, k = 256, n = 256;
  std::size_t height = 28, width = 28, in_channels = 64, out_channels = 64, kernel_size = 3;
  double min_time_ms = 300;  ///< total time to spend measuring (after one warm-up run)
  int samples = 5;           ///< the result is the median of this many samples
};

/// @brief Median time of one run and its throughput.
struct BenchmarkResult {
  std::string kernel, dtype, impl;
  std::string shape;      ///< "256x256x256" (M×K×N) or "28x28x64x64k3" (H×W×Cin×Cout, kernel)
  double ms = 0;          ///< median milliseconds per run
  double gops = 0;        ///< 2*MACs / time, in 1e9 operations per second
  std::size_t iterations = 0;  ///< runs timed in total
};

/// @brief What one run of `spec` does. fp32 GEMM: C = A·B with packed B. int8
/// GEMM: uint8 A (zero point 128) × packed int8 B, requantized to uint8, as
/// ONNX QLinearMatMul; A's packing is part of every run, B's is not.
/// Throws InvalidArgument for unknown names, zero or huge sizes.
BenchmarkResult run_benchmark(const BenchmarkSpec& spec);

/// @brief The standard cases for one impl: GEMM 256x256x256 and
/// 64x1024x1024, matvec 1x4096x4096, conv 3x3 64->64 on 28x28, fp32 and int8.
std::vector<BenchmarkSpec> standard_benchmarks(const std::string& impl, double min_time_ms);

}  // namespace quantlab::kernels
