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
/// conv is a batch-1 NHWC convolution (im2col + GEMM), square kernel, "same"
/// padding (kernel_size / 2 on every side), `stride` and `groups`; dwconv is
/// the direct depthwise kernel (dwconv2d_q8, int8 only) on the same geometry
/// with in_channels channels (out_channels and groups are ignored): compare it
/// with conv at groups = in_channels = out_channels, the GEMM path.
struct BenchmarkSpec {
  std::string kernel = "gemm";  ///< "gemm" | "matvec" | "conv" | "dwconv"
  std::string dtype = "fp32";   ///< "fp32" | "int8" (dwconv: int8)
  std::string impl = "simd";    ///< "scalar" | "simd"
  std::size_t m = 256, k = 256, n = 256;
  std::size_t height = 28, width = 28, in_channels = 64, out_channels = 64, kernel_size = 3;
  std::size_t stride = 1;  ///< conv, dwconv: both directions
  std::size_t groups = 1;  ///< conv only
  double min_time_ms = 300;  ///< total time to spend measuring (after one warm-up run)
  int samples = 5;           ///< the result is the median of this many samples
};

/// @brief Median time of one run and its throughput.
struct BenchmarkResult {
  std::string kernel, dtype, impl;
  std::string shape;      ///< "256x256x256" (M×K×N) or "28x28x64x64k3" (H×W×Cin×Cout, kernel), then
                          ///< "s2" for stride 2 and "g16" for 16 groups (dwconv: groups = C)
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

/// @brief The depthwise 3×3 convolutions of models/fashion_dwcnn.onnx (14×14×24
/// stride 1, 14×14×48 stride 2, 7×7×96 stride 1) and a larger 28×28×16
/// plane, each as fp32 conv2d_f32 and int8 conv2d_q8 with groups = channels
/// (the GEMM path) and as int8 dwconv2d_q8 (the direct kernel). The fp32
/// direct depthwise kernel is a model op (NCHW), not a kernel-layer one.
std::vector<BenchmarkSpec> depthwise_benchmarks(const std::string& impl, double min_time_ms);

}  // namespace quantlab::kernels
