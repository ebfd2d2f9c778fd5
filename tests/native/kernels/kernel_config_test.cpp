// Kernel selection (config.cpp) and the instruction-set names.
#include <gtest/gtest.h>

#include "quantlab/error.h"
#include "quantlab/kernels/config.h"

namespace quantlab::kernels {
namespace {

TEST(KernelConfigTest, scalar_is_always_available_and_first) {
  const auto isas = available_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), Isa::scalar);
  EXPECT_EQ(kernel_config(Isa::scalar).f32_gemm, &f32_gemm_4x8__scalar);
  EXPECT_EQ(kernel_config(Isa::scalar).qs8_gemv, &qs8_gemm_1x32c2__scalar);
}

TEST(KernelConfigTest, names_round_trip) {
  for (Isa isa : available_isas()) EXPECT_EQ(parse_isa(to_string(isa)), isa);
  EXPECT_THROW(parse_isa("avx512"), InvalidArgument);
}

#ifdef __wasm_simd128__
TEST(KernelConfigTest, wasm_build_selects_simd_kernels) {
  EXPECT_EQ(best_isa(), Isa::wasmsimd);
  EXPECT_EQ(kernel_config(Isa::wasmsimd).qs8_gemm, &qs8_gemm_4x8c2__wasmsimd_dot16x2);
  EXPECT_EQ(kernel_config(Isa::wasmsimd).f32_gemv, &f32_gemm_1x32__wasmsimd);
}
#else
TEST(KernelConfigTest, native_build_has_no_simd_kernels) {
  EXPECT_EQ(best_isa(), Isa::scalar);
  EXPECT_THROW(kernel_config(Isa::wasmsimd), InvalidArgument);
  EXPECT_THROW(parse_isa("simd"), InvalidArgument);
}
#endif

}  // namespace
}  // namespace quantlab::kernels
