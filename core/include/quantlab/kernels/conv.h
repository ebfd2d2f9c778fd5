// quantlab/kernels/conv.h — 2-D convolution (fp32 and int8) by im2col + GEMM.
//
// Tensors are NHWC (channels innermost), weights are given in ONNX's OIHW
// layout and packed once per group. Groups (and so depthwise convolution,
// groups == in_channels) run one GEMM per group over a channel slice.
// Depthwise int8 convolution also has a direct kernel (dwconv2d_q8, below):
// the same results bit for bit, without a one-column GEMM per channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::kernels {

/// @brief Shape and attributes of a 2-D convolution (ONNX Conv's attributes).
struct Conv2dShape {
  std::size_t batch = 1;
  std::size_t in_height = 0, in_width = 0, in_channels = 0;
  std::size_t out_channels = 0;
  std::size_t kernel_height = 1, kernel_width = 1;
  std::size_t stride_height = 1, stride_width = 1;
  std::size_t dilation_height = 1, dilation_width = 1;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::size_t groups = 1;

  std::size_t out_height() const;
  std::size_t out_width() const;
  std::size_t in_channels_per_group() const { return in_channels / groups; }
  std::size_t out_channels_per_group() const { return out_channels / groups; }
  /// Reduction depth of one group's GEMM: kernel_height * kernel_width * in_channels / groups.
  std::size_t gemm_k() const { return kernel_height * kernel_width * in_channels_per_group(); }
  /// Throws InvalidArgument for zero sizes, channels not divisible by groups,
  /// a kernel larger than the padded input, or sizes whose products overflow.
  void check() const;
};

/// @brief fp32 convolution weights packed per group.
struct PackedConvF32 {
  Conv2dShape shape;
  std::vector<PackedWeightsF32> groups;
};

/// @brief Packs OIHW weights (out_channels × in_channels/groups × kh × kw) and
/// an optional bias (out_channels values, nullptr for none).
PackedConvF32 pack_conv2d_f32(const Conv2dShape& shape, const float* weights_oihw, const float* bias);

/// @brief output (NHWC, batch × out_h × out_w × out_channels) = clamp(conv(input) + bias).
void conv2d_f32(const PackedConvF32& w, const float* input_nhwc, float* output_nhwc,
                const F32MinMax& clamp = kNoClamp, Isa isa = best_isa());

/// @brief int8 convolution weights packed per group.
struct PackedConvQs8 {
  Conv2dShape shape;
  std::vector<PackedWeightsQs8> groups;
};

/// @brief Packs int8 OIHW weights; `zero_point` has 1 or out_channels values,
/// `bias` is empty or out_channels int32 values.
PackedConvQs8 pack_conv2d_qs8(const Conv2dShape& shape, const std::int8_t* weights_oihw,
                              const std::vector<std::int32_t>& zero_point, const std::vector<std::int32_t>& bias);

/// @brief Quantized convolution: NHWC uint8/int8 input (padding reads as the
/// input zero point), NHWC requantized output. `input.stride` and
/// `output.stride` are ignored (tensors are dense); `output.scale` has 1 or
/// out_channels values.
void conv2d_q8(const PackedConvQs8& w, const Q8Input& input, const Q8Output& output, Isa isa = best_isa());

// ============================================================================
// Depthwise int8 convolution, direct (core/docs/kernels.md, "Depthwise")
// ============================================================================

/// @brief True when `shape` is a depthwise convolution with channel multiplier 1
/// (groups == in_channels == out_channels): the shapes dwconv2d_q8 accepts.
inline bool is_depthwise(const Conv2dShape& shape) {
  return shape.groups == shape.in_channels && shape.out_channels == shape.in_channels;
}

/// @brief int8 depthwise weights packed for the dwconv microkernels.
/// Per block of kQs8DwCR = 8 channels, taps_padded / 2 rows of 8 channels ×
/// 2 consecutive taps, as int16 with the zero point subtracted (w - zw[c], in
/// -255..255); channels past C and the odd tap's partner are 0. 16 bits per
/// weight plus 8 bytes per channel (bias and weight sum).
struct PackedDwConvQs8 {
  Conv2dShape shape;
  std::size_t channels = 0;     ///< C = in_channels = out_channels = groups
  std::size_t taps = 0;         ///< kernel_height * kernel_width (<= kMaxQ8K)
  std::size_t taps_padded = 0;  ///< taps rounded up to kQs8DwTR (the partner of an odd last tap weighs 0)
  std::vector<std::int16_t> weights;      ///< blocks * taps_padded * kQs8DwCR values
  std::vector<std::int32_t> bias;         ///< round_up(C, 8) values: bias[c] (0 when none or past C)
  std::vector<std::int32_t> weight_sums;  ///< round_up(C, 8) values: sum_t (w[c][t] - zw[c]) (eq. K11)

  /// int16 values per block of kQs8DwCR channels.
  std::size_t block_stride() const { return taps_padded * kQs8DwCR; }
  /// Throws InvalidArgument unless the sizes agree with `shape`.
  void check() const;
};

/// @brief Packs depthwise int8 weights: `weights_oihw` is C × 1 × kh × kw
/// (ONNX's layout for groups == C), `zero_point` has 1 or C values in
/// -128..127, `bias` is empty or C int32 values. Throws InvalidArgument unless
/// is_depthwise(shape) (a channel multiplier > 1 is not supported: use
/// pack_conv2d_qs8), or for taps > kMaxQ8K.
PackedDwConvQs8 pack_dwconv2d_qs8(const Conv2dShape& shape, const std::int8_t* weights_oihw,
                                  const std::vector<std::int32_t>& zero_point, const std::vector<std::int32_t>& bias);

/// @brief Depthwise convolution, NHWC uint8/int8 in and out: the same
/// contract and bit-identical results as conv2d_q8 on the same shape and
/// weights (eq. K3, K9: padding reads the input zero point, `output.scale` has
/// 1 or C values, `min`/`max` clamp), computed directly per channel.
/// `input.stride` and `output.stride` are ignored (tensors are dense).
///
///     PackedDwConvQs8 w = pack_dwconv2d_qs8(shape, weights, {0}, bias);  // once
///     dwconv2d_q8(w, input, output);                                     // per run
void dwconv2d_q8(const PackedDwConvQs8& w, const Q8Input& input, const Q8Output& output, Isa isa = best_isa());

}  // namespace quantlab::kernels
