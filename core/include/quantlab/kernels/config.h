// quantlab/kernels/config.h — the one place where kernels are chosen.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quantlab/kernels/isa.h"
#include "quantlab/kernels/microkernels.h"

namespace quantlab::kernels {

/// @brief The microkernels of one instruction set and their tile heights.
/// Panel widths (kF32NR, kQs8NR) are shared by every set, so packed weights
/// work with any of them.
struct KernelConfig {
  Isa isa;
  F32GemmUkernel f32_gemm;  ///< MR = f32_mr rows per call
  std::size_t f32_mr;
  F32GemmUkernel f32_gemv;  ///< one row × four panels (batch 1, matrix-vector)
  Qs8GemmUkernel qs8_gemm;  ///< MR = qs8_mr rows per call
  std::size_t qs8_mr;
  Qs8GemmUkernel qs8_gemv;  ///< one row × four panels
  /// The qs8_gemm tile with per-row requantization fused, by output type.
  Qs8GemmQ8Ukernel<std::uint8_t> qs8_gemm_qu8;
  Qs8GemmQ8Ukernel<std::int8_t> qs8_gemm_qs8;
  RequantQu8Ukernel requant_qu8;
  RequantQs8Ukernel requant_qs8;
  DequantF32Ukernel dequant_f32;
  /// Depthwise convolution (dwconv2d_q8), one kernel per input × output type.
  DwConvQ8Ukernel<std::uint8_t, std::uint8_t> dwconv_qu8_qu8;
  DwConvQ8Ukernel<std::uint8_t, std::int8_t> dwconv_qu8_qs8;
  DwConvQ8Ukernel<std::int8_t, std::uint8_t> dwconv_qs8_qu8;
  DwConvQ8Ukernel<std::int8_t, std::int8_t> dwconv_qs8_qs8;
  /// Depthwise convolution of NCHW planes, one output row per call, by output type.
  DwConvNchwQ8Ukernel<std::uint8_t> dwconv_nchw_qu8;
  DwConvNchwQ8Ukernel<std::int8_t> dwconv_nchw_qs8;
  /// 2×2 stride-2 max pooling of codes, one output row per call.
  MaxPool2x2Ukernel<std::uint8_t> maxpool2x2_qu8;
  MaxPool2x2Ukernel<std::int8_t> maxpool2x2_qs8;
  /// Quantized addition of two code arrays of one type.
  VAddQ8Ukernel<std::uint8_t> vadd_qu8;
  VAddQ8Ukernel<std::int8_t> vadd_qs8;
};

/// Columns per call of the matrix-vector kernels (four panels).
inline constexpr std::size_t kGemvNR = 32;

/// @brief The kernels of `isa`; throws InvalidArgument when this build does
/// not have them (wasmsimd in a native build).
const KernelConfig& kernel_config(Isa isa);

}  // namespace quantlab::kernels
