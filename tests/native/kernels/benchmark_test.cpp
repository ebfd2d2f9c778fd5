// run_benchmark: the records the CLI, the npm package and `npm run bench` share.
// Not a timed test: it checks the shape of the result, never the speed.
#include <gtest/gtest.h>

#include "quantlab/error.h"
#include "quantlab/kernels/benchmark.h"

namespace quantlab::kernels {
namespace {

TEST(BenchmarkTest, returns_positive_times_and_the_shape_string) {
  for (const char* kernel : {"gemm", "matvec", "conv"}) {
    for (const char* dtype : {"fp32", "int8"}) {
      BenchmarkSpec s;
      s.kernel = kernel;
      s.dtype = dtype;
      s.impl = "scalar";
      s.m = 3, s.k = 20, s.n = 9;
      s.height = 5, s.width = 4, s.in_channels = 3, s.out_channels = 2, s.kernel_size = 3;
      s.min_time_ms = 1;
      s.samples = 3;
      const BenchmarkResult r = run_benchmark(s);
      EXPECT_GT(r.ms, 0.0);
      EXPECT_GT(r.gops, 0.0);
      EXPECT_GE(r.iterations, 3u);
      EXPECT_EQ(r.impl, "scalar");
      const std::string expected = std::string(kernel) == "gemm"     ? "3x20x9"
                                   : std::string(kernel) == "matvec" ? "1x20x9"
                                                                     : "5x4x3x2k3";
      EXPECT_EQ(r.shape, expected);
    }
  }
}

TEST(BenchmarkTest, standard_cases_are_the_issues_shapes) {
  const auto cases = standard_benchmarks("scalar", 10);
  ASSERT_EQ(cases.size(), 8u);
  EXPECT_EQ(cases[1].m, 64u);
  EXPECT_EQ(cases[1].k, 1024u);
  EXPECT_EQ(cases[2].kernel, "matvec");
  EXPECT_EQ(cases[2].k, 4096u);
  EXPECT_EQ(cases[3].kernel, "conv");
  EXPECT_EQ(cases[7].dtype, "int8");
}

TEST(BenchmarkTest, rejects_unknown_names_and_sizes) {
  BenchmarkSpec s;
  s.impl = "scalar";
  s.kernel = "fft";
  EXPECT_THROW(run_benchmark(s), InvalidArgument);
  s.kernel = "gemm";
  s.dtype = "int4";
  EXPECT_THROW(run_benchmark(s), InvalidArgument);
  s.dtype = "fp32";
  s.m = 0;
  EXPECT_THROW(run_benchmark(s), InvalidArgument);
  s.m = 65536, s.k = 65536;
  EXPECT_THROW(run_benchmark(s), InvalidArgument);  // 2^32 elements
  s.m = 4, s.k = 4;
  s.impl = "gpu";
  EXPECT_THROW(run_benchmark(s), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::kernels
