// quantlab/kernels/packed_weights.h — weights packed once, read by every GEMM kernel.
//
// B (K×N, the weights) is cut into panels of NR columns. Inside a panel the
// data a microkernel needs for one step of k is contiguous, so the inner loop
// streams memory. The scalar and SIMD kernels of a family read the same
// packing, so one packed object serves every instruction set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quantlab::kernels {

// ============================================================================
// Panel geometry
// ============================================================================

/// Columns per fp32 panel (two f32x4 vectors).
inline constexpr std::size_t kF32NR = 8;
/// Columns per int8 panel (two i32x4 accumulators per row).
inline constexpr std::size_t kQs8NR = 8;
/// Consecutive k packed together per column: one i32x4.dot_i16x8_s pair.
inline constexpr std::size_t kQs8KR = 2;
/// Largest K of the int8 operators: keeps every int32 intermediate exact (eq. K7).
inline constexpr std::size_t kMaxQ8K = 32768;

/// @brief One k-pair row of an int8 panel: NR columns × KR consecutive k.
/// 16 bytes for 16 weights: 8 bits per weight, no per-block scale.
struct Qs8PanelRow {
  std::int8_t w[kQs8NR][kQs8KR];  ///< w[j][r] = B[2p + r][n0 + j] (0 past K or N)
};
static_assert(sizeof(Qs8PanelRow) == 16, "an int8 panel row is 8 columns x 2 k, one byte each");

/// @brief How the caller's weight matrix is laid out.
enum class WeightLayout {
  k_by_n,  ///< B[k][n] at data[k*stride + n] (ONNX MatMul's B)
  n_by_k,  ///< B[k][n] at data[n*stride + k] (a Linear layer's [out][in] weight)
};

// ============================================================================
// fp32
// ============================================================================

/// @brief fp32 weights and bias packed in panels of kF32NR columns.
/// Panel p holds kF32NR biases then K rows of kF32NR weights (columns past N
/// are zero): 32 bits per weight plus NR floats per panel.
struct PackedWeightsF32 {
  std::size_t k = 0;       ///< rows of B (the reduction depth)
  std::size_t n = 0;       ///< columns of B (the outputs)
  std::size_t panels = 0;  ///< ceil(n / kF32NR)
  std::vector<float> data; ///< panels * panel_stride() floats

  /// Floats per panel: the bias row plus K weight rows.
  std::size_t panel_stride() const { return kF32NR * (k + 1); }
  /// The packed panel p (first of its bias row).
  const float* panel(std::size_t p) const { return data.data() + p * panel_stride(); }
  /// Throws InvalidArgument unless the sizes agree (a size check for
  /// objects built by hand or deserialized).
  void check() const;
};

/// @brief Packs B (K×N) and an optional bias (N values, nullptr for none).
PackedWeightsF32 pack_weights_f32(std::size_t k, std::size_t n, const float* b, std::size_t stride,
                                  const float* bias, WeightLayout layout = WeightLayout::k_by_n);

// ============================================================================
// int8
// ============================================================================

/// @brief Signed int8 weights packed in panels of kQs8NR columns × kQs8KR k,
/// with the per-column terms the zero-point algebra needs (eq. K5, K6).
/// 8 bits per weight plus 12 bytes per column.
struct PackedWeightsQs8 {
  std::size_t k = 0;         ///< rows of B
  std::size_t k_padded = 0;  ///< k rounded up to kQs8KR (padding weights are 0)
  std::size_t n = 0;         ///< columns of B
  std::size_t panels = 0;    ///< ceil(n / kQs8NR)
  std::vector<std::int8_t> data;          ///< panels * k_padded/2 Qs8PanelRow
  std::vector<std::int32_t> column_sums;  ///< sum_k B[k][n] (eq. K5), panels*NR values
  std::vector<std::int32_t> zero_point;   ///< zb[n] (per tensor: all equal), panels*NR values
  std::vector<std::int32_t> bias;         ///< int32 bias[n] (0 when none), panels*NR values
  bool has_zero_point = false;            ///< some zb[n] != 0

  /// Bytes per panel.
  std::size_t panel_stride() const { return (k_padded / kQs8KR) * sizeof(Qs8PanelRow); }
  /// The packed panel p.
  const std::int8_t* panel(std::size_t p) const { return data.data() + p * panel_stride(); }
  /// Throws InvalidArgument unless the sizes agree.
  void check() const;
};

/// @brief Packs int8 weights B (K×N, 1 <= K <= kMaxQ8K). `zero_point` holds 1
/// (per tensor) or N (per output channel) values in -128..127; `bias` is
/// empty or N int32 values (ONNX QLinearConv's bias: scale s_a*s_b).
PackedWeightsQs8 pack_weights_qs8(std::size_t k, std::size_t n, const std::int8_t* b, std::size_t stride,
                                  const std::vector<std::int32_t>& zero_point,
                                  const std::vector<std::int32_t>& bias,
                                  WeightLayout layout = WeightLayout::k_by_n);

// ============================================================================
// Activations (packed per call)
// ============================================================================

/// @brief Widens `rows` rows of K uint8 activations to int16, K padded with 0
/// up to k_padded, and writes each row's sum of the raw values (eq. K5).
void pack_a_qu8_c2(std::size_t rows, std::size_t k, const std::uint8_t* a, std::size_t a_stride,
                   std::size_t k_padded, std::int16_t* packed, std::int32_t* row_sums);

/// @brief The same for int8 activations.
void pack_a_qs8_c2(std::size_t rows, std::size_t k, const std::int8_t* a, std::size_t a_stride,
                   std::size_t k_padded, std::int16_t* packed, std::int32_t* row_sums);

}  // namespace quantlab::kernels
