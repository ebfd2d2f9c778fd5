// conv_f32.h (internal) — fp32 convolution of NCHW tensors, as ONNX lays them out.
//
// Two paths, both reading a zero-padded copy of the input so that no tap needs
// a bounds check:
//  - GEMM: per image and group, Y[O×pixels] = W[O×(1+K)] · B[(1+K)×pixels]
//    with the weights as the row-major A of the project's f32 GEMM
//    microkernels (kernels/config.h) and B the im2col columns, packed 8 pixels
//    at a time straight into the microkernel's panel layout. Row 0 of B is all
//    ones and column 0 of A holds the bias, so the bias costs one k step and
//    the output comes out in NCHW with no transposes.
//  - direct: one input channel and at most three output channels per group
//    (depthwise, possibly with a channel multiplier), plain loops over output
//    rows (depthwise_conv2d_f32.cpp); a per-group GEMM would fill one row of
//    its 4-row tiles.
// 1-D convolutions are 2-D ones with height 1.
#pragma once

#include <cstddef>
#include <vector>

#include "quantlab/kernels/isa.h"
#include "quantlab/kernels/microkernels.h"

namespace quantlab::model::ops {

/// @brief Sizes of one 2-D convolution (NCHW input, OIHW weights).
struct ConvGeometry {
  std::size_t batch = 1, in_channels = 1, in_h = 1, in_w = 1;
  std::size_t out_channels = 1, groups = 1;
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::size_t out_h = 1, out_w = 1;

  std::size_t in_per_group() const { return in_channels / groups; }
  std::size_t out_per_group() const { return out_channels / groups; }
  std::size_t padded_h() const { return in_h + pad_top + pad_bottom; }
  std::size_t padded_w() const { return in_w + pad_left + pad_right; }
  bool padded() const { return pad_top + pad_left + pad_bottom + pad_right != 0; }
  /// Taps per output of one group: in_per_group · kernel_h · kernel_w.
  std::size_t taps() const { return in_per_group() * kernel_h * kernel_w; }
  /// True when the direct (per-channel) path applies: one input channel per
  /// group and fewer output channels per group than the GEMM microkernel's
  /// 4-row tile (depthwise, multiplier 2 or 3). A single-channel input with
  /// 16 outputs measured 2× faster as a GEMM (K = 9 + 1, M = 16).
  bool direct() const { return in_per_group() == 1 && out_per_group() < 4; }
};

/// @brief Weights laid out for one of the two paths (made once for constant weights).
struct ConvWeightsF32 {
  bool direct = false;
  std::size_t out_channels = 0;
  std::size_t row = 0;         ///< floats per output channel in `values`
  std::vector<float> values;   ///< GEMM: [bias, w(c,ky,kx)...] per channel; direct: w(ky,kx) per channel
  std::vector<float> bias;     ///< direct path only: one per output channel
};

/// Lays out OIHW `weights` (out_channels × in_per_group × kh × kw) and the
/// optional `bias` (out_channels values or null) for `g.direct()`'s path.
ConvWeightsF32 pack_conv_weights_f32(const ConvGeometry& g, const float* weights, const float* bias);

/// y (batch × out_channels × out_h × out_w) = clamp(conv(x) + bias), x NCHW.
void conv2d_f32_nchw(const ConvGeometry& g, const ConvWeightsF32& w, const float* x, float* y,
                     const kernels::F32MinMax& clamp, kernels::Isa isa);

/// One output plane of the direct path: out[oy][ox] = clamp(bias + Σ w[ky][kx] ·
/// padded[(oy·sh + ky·dh)·padded_w + ox·sw + kx·dw]) over an input plane that
/// already carries its padding (padded_h × padded_w).
void depthwise_conv2d_f32_plane(const ConvGeometry& g, const float* padded_plane, const float* weights, float bias,
                                float* out, const kernels::F32MinMax& clamp);

}  // namespace quantlab::model::ops
