// model/ops/qconv2d_nchw.h (private) — int8 convolution of NCHW tensors with
// the weights as the GEMM's rows: "weights stationary", no layout transposes.
//
// Per image and group, with P output pixels and K = kh·kw·C/group:
//
//   Y[m][p] = clamp(round_half_even(fl(acc[m][p]) · M[m]) + zy, qmin, qmax)      (eq. K9)
//   acc[m][p] = Σ_k (w[m][k] − zw[m]) · (x_k[p] − zx) + bias[m]                   (eq. K3)
//
// computed by the int8 GEMM microkernels (kernels/config.h) with A = the
// weights, widened to int16 with their zero point subtracted once at load
// (w − zw in −255..255, so |A·B| <= 255 · 128 as eq. K7 assumes), and B = the
// image's im2col columns, written per run straight into the microkernels'
// 8-column panels from a zero-point-padded copy of the image (an implicit
// GEMM: no int16 widening of activations, no row sums). Output rows are
// output channels, so Y is written in NCHW as it comes. This is why it is
// faster than conv2d_q8 (kernels/conv.h, im2col rows of pixels × packed
// weights) when channels are few: there every pixel's K activations are
// widened and summed for the 16 or 32 output channels they meet; here every
// panel of 8 pixels is reused by all output channels of its group.
//
// With x' = x − 128 for uint8 input (and zx' = zx − 128; int8 is used as is),
//   acc = P[m][p] − zx' · R[m] + bias[m],  P = Σ_k A[m][k] · x'_k[p],  R[m] = Σ_k A[m][k]
// which the fused GEMM kernels (qs8_gemm_<out>_fp32_4x8c2, microkernels.h) add
// per row as init[m] = bias[m] − zx'·R[m] before requantizing their tile in
// registers and storing codes straight into Y. The integers equal conv2d_q8's,
// so the codes are the same bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quantlab/kernels/conv.h"
#include "quantlab/kernels/gemm.h"
#include "quantlab/kernels/isa.h"
#include "quantlab/kernels/packed_weights.h"

namespace quantlab::model::int8_ops {

/// @brief Convolution weights as the microkernels' A rows.
/// 16 bits per weight plus 8 bytes per output channel (and 8 bits per weight
/// more with tail_weights).
struct PackedConvNchwQs8 {
  kernels::Conv2dShape shape;  ///< the geometry of one image (batch is given per call)
  std::size_t k = 0;           ///< kernel_h · kernel_w · in_channels / groups
  std::size_t k_padded = 0;    ///< k rounded up to kQs8KR (padding weights are 0)
  std::vector<std::int16_t> weights;      ///< out_channels rows of k_padded: w − zw[m], (c, ky, kx) order
  std::vector<std::int32_t> weight_sums;  ///< R[m] = Σ_k (w − zw[m])
  std::vector<std::int32_t> bias;         ///< out_channels int32 values (0 when none)
  /// The int8 weights again, one matrix-vector B per group (K × the group's
  /// output channels, with their zero points), when the plane ends in a few
  /// pixels short of a whole panel: those run one at a time (conv2d_nchw_q8).
  /// Empty otherwise. 8 bits per weight more.
  std::vector<kernels::PackedWeightsQs8> tail_weights;
};

/// @brief Packs OIHW int8 weights (uint8 weights are shifted first, as
/// int8_common.h does); `zero_point` has 1 or out_channels values in the same
/// frame, `bias` is empty or out_channels values.
PackedConvNchwQs8 pack_conv2d_nchw_qs8(const kernels::Conv2dShape& shape, const std::int8_t* weights_oihw,
                                        const std::vector<std::int32_t>& zero_point,
                                        const std::vector<std::int32_t>& bias);

/// @brief The tables conv2d_nchw_q8 needs before its first image: where
/// each k reads in the padded planes, and each output row's init (bias −
/// zx'·R) and scale. A caller whose geometry, x zero point and output scales
/// are fixed makes them once (a batch-1 run then skips this work).
struct ConvNchwQ8Plan {
  std::vector<std::size_t> tap;        ///< k_padded offsets; empty for a 1×1, stride-1, unpadded convolution
  std::vector<std::int32_t> row_init;  ///< out_channels
  std::vector<float> row_scale;        ///< out_channels
};

/// @brief The plan for `w`'s geometry, x's zero point (`u8_input`: uint8 x,
/// else int8) and `output`'s scales.
ConvNchwQ8Plan plan_conv2d_nchw_q8(const PackedConvNchwQs8& w, bool u8_input, std::int32_t x_zero_point,
                                   const kernels::Q8Output& output);

/// @brief `batch` images of NCHW uint8/int8 input to NCHW requantized output.
/// `input.zero_point` is x's; `output.scale` has 1 or out_channels values;
/// `output.min`/`max` clamp (a fused activation). Strides are ignored (dense).
/// `plan`, when given, must be plan_conv2d_nchw_q8 of these arguments.
void conv2d_nchw_q8(const PackedConvNchwQs8& w, std::size_t batch, const kernels::Q8Input& input,
                    const kernels::Q8Output& output, kernels::Isa isa = kernels::best_isa(),
                    const ConvNchwQ8Plan* plan = nullptr);

}  // namespace quantlab::model::int8_ops
