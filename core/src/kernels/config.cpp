// The one place where microkernels are chosen for each instruction set.
#include "quantlab/kernels/config.h"

#include "quantlab/error.h"

namespace quantlab::kernels {

namespace {

constexpr KernelConfig kScalarConfig{
    Isa::scalar,
    f32_gemm_4x8__scalar, 4, f32_gemm_1x32__scalar,
    qs8_gemm_4x8c2__scalar, 4, qs8_gemm_1x32c2__scalar,
    qs8_gemm_qu8_fp32_4x8c2__scalar, qs8_gemm_qs8_fp32_4x8c2__scalar,
    requant_qs32_qu8_fp32__scalar, requant_qs32_qs8_fp32__scalar, dequant_qs32_f32__scalar,
    dwconv_qu8_qu8_fp32_8c2__scalar, dwconv_qu8_qs8_fp32_8c2__scalar,
    dwconv_qs8_qu8_fp32_8c2__scalar, dwconv_qs8_qs8_fp32_8c2__scalar,
    dwconv_nchw_qs8_qu8_fp32_8x2__scalar, dwconv_nchw_qs8_qs8_fp32_8x2__scalar,
    maxpool2x2s2_qu8__scalar, maxpool2x2s2_qs8__scalar,
    vadd_qu8_fp32__scalar, vadd_qs8_fp32__scalar,
};

#ifdef __wasm_simd128__
constexpr KernelConfig kWasmSimdConfig{
    Isa::wasmsimd,
    f32_gemm_4x8__wasmsimd, 4, f32_gemm_1x32__wasmsimd,
    qs8_gemm_4x8c2__wasmsimd_dot16x2, 4, qs8_gemm_1x32c2__wasmsimd_dot16x2,
    qs8_gemm_qu8_fp32_4x8c2__wasmsimd_dot16x2, qs8_gemm_qs8_fp32_4x8c2__wasmsimd_dot16x2,
    requant_qs32_qu8_fp32__wasmsimd, requant_qs32_qs8_fp32__wasmsimd, dequant_qs32_f32__wasmsimd,
    dwconv_qu8_qu8_fp32_8c2__wasmsimd_dot16x2, dwconv_qu8_qs8_fp32_8c2__wasmsimd_dot16x2,
    dwconv_qs8_qu8_fp32_8c2__wasmsimd_dot16x2, dwconv_qs8_qs8_fp32_8c2__wasmsimd_dot16x2,
    dwconv_nchw_qs8_qu8_fp32_8x2__wasmsimd_dot16x2, dwconv_nchw_qs8_qs8_fp32_8x2__wasmsimd_dot16x2,
    maxpool2x2s2_qu8__wasmsimd, maxpool2x2s2_qs8__wasmsimd,
    vadd_qu8_fp32__wasmsimd, vadd_qs8_fp32__wasmsimd,
};
#endif

}  // namespace

const KernelConfig& kernel_config(Isa isa) {
  switch (isa) {
    case Isa::scalar:
      return kScalarConfig;
    case Isa::wasmsimd:
#ifdef __wasm_simd128__
      return kWasmSimdConfig;
#else
      throw InvalidArgument("SIMD kernels are not compiled into this build (WebAssembly builds only)");
#endif
  }
  throw InvalidArgument("unknown instruction set");
}

}  // namespace quantlab::kernels
