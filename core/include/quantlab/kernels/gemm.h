// quantlab/kernels/gemm.h — GEMM and matrix-vector operators over packed weights.
//
// C (M×N) = A (M×K) · B (K×N). A and C are row-major with a row stride in
// elements (>= K, >= N); B is packed once (packed_weights.h). M == 1 takes the
// matrix-vector kernels. Equation numbers refer to core/docs/kernels.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "quantlab/kernels/isa.h"
#include "quantlab/kernels/microkernels.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {

/// @brief No clamp: every value passes (NaN too).
inline constexpr F32MinMax kNoClamp{-std::numeric_limits<float>::infinity(),
                                    std::numeric_limits<float>::infinity()};

/// @brief fp32: C = clamp(A·B + bias) (eq. K2).
void gemm_f32(std::size_t m, const float* a, std::size_t a_stride, const PackedWeightsF32& w, float* c,
              std::size_t c_stride, const F32MinMax& clamp = kNoClamp, Isa isa = best_isa());

/// @brief Quantized activations: uint8 or int8, row-major, with their zero point (eq. K1).
struct Q8Input {
  const std::uint8_t* u8 = nullptr;  ///< set exactly one of u8 and s8
  const std::int8_t* s8 = nullptr;
  std::size_t stride = 0;            ///< elements between rows
  std::int32_t zero_point = 0;       ///< za: 0..255 for uint8, -128..127 for int8
};

/// @brief Requantized uint8 or int8 output (eq. K8, K9).
struct Q8Output {
  std::uint8_t* u8 = nullptr;  ///< set exactly one of u8 and s8
  std::int8_t* s8 = nullptr;
  std::size_t stride = 0;
  std::vector<float> scale;    ///< 1 or N values: s_a * s_b[n] / s_y (> 0, finite)
  std::int32_t zero_point = 0; ///< zy
  std::int32_t min = 0;        ///< clamp (fused ReLU: min = zy); within the type's range
  std::int32_t max = 255;
};

/// @brief fp32 output of a quantized GEMM (eq. K10).
struct F32Output {
  float* data = nullptr;
  std::size_t stride = 0;
  std::vector<float> scale;  ///< 1 or N values: s_a * s_b[n]
  std::vector<float> bias;   ///< empty or N values, added after scaling
  F32MinMax clamp = kNoClamp;
};

/// @brief int8 GEMM with requantization to uint8/int8 (eq. K6-K9).
void gemm_q8(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, const Q8Output& out,
             Isa isa = best_isa());

/// @brief int8 GEMM dequantized to fp32 (eq. K6, K10).
void gemm_q8_f32(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, const F32Output& out,
                 Isa isa = best_isa());

/// @brief int8 GEMM returning the exact int32 sums of eq. K6 (as ONNX MatMulInteger,
/// plus the packed bias).
void gemm_q8_s32(std::size_t m, const Q8Input& a, const PackedWeightsQs8& w, std::int32_t* c,
                 std::size_t c_stride, Isa isa = best_isa());

}  // namespace quantlab::kernels
